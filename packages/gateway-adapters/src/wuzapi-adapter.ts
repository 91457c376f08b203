import type { WebhookEventJob } from '@zaprelay/core';
import { z } from 'zod';
import { guarded, messageEvent, zodParse } from './build-events.js';
import type { GatewayAdapter } from './gateway-adapter.js';
import { InvalidPayloadError } from './invalid-payload-error.js';
import { firstPhone, jidKind } from './jid.js';
import type { MessageStatus, NormalisedEvent } from './normalised-event.js';
import { isoFromRfc3339 } from './timestamps.js';

/** WUZAPI's postmap (`wmiau.go`): `{type, event, …}` plus inline media fields beside `event`. */
export const wuzapiJsonDataSchema = z.looseObject({
  type: z.string().min(1),
  event: z.unknown().optional(),
  state: z.string().optional(),
});

/**
 * The `payload` this adapter accepts, i.e. what the ingress stores for WUZAPI:
 *  - form formats: `{ jsonData, userID?, instanceName?, token? }`, `jsonData`
 *    either parsed into an object or still the JSON string from the form;
 *  - `WEBHOOK_FORMAT=json`: the body itself, `{ type, event, userID?, instanceName?, … }`.
 * The ingress may have replaced `base64` with a size note; it is never read here.
 */
const wuzapiFormPayloadSchema = z.looseObject({
  jsonData: z.union([z.string().min(1), wuzapiJsonDataSchema]),
  userID: z.string().optional(),
  instanceName: z.string().optional(),
  token: z.string().optional(),
});

const wuzapiJsonPayloadSchema = wuzapiJsonDataSchema.extend({
  userID: z.string().optional(),
  instanceName: z.string().optional(),
});

export const wuzapiPayloadSchema = z.union([wuzapiFormPayloadSchema, wuzapiJsonPayloadSchema]);
export type WuzapiPayload = z.infer<typeof wuzapiPayloadSchema>;

const jid = z.string();

/** whatsmeow's MessageInfo (MessageSource embedded), as Go marshals it. */
const messageInfoSchema = z.looseObject({
  Chat: jid.min(1),
  Sender: jid.nullish(),
  IsFromMe: z.boolean(),
  IsGroup: z.boolean().nullish(),
  SenderAlt: jid.nullish(),
  RecipientAlt: jid.nullish(),
  ID: z.string().min(1),
  PushName: z.string().nullish(),
  Timestamp: z.string().nullish(),
});

const messageEventSchema = z.looseObject({
  Info: messageInfoSchema,
  Message: z.unknown().optional(),
  /** whatsmeow has put the edit's new content in Message; the protocol message naming the original stays in RawMessage. */
  IsEdit: z.boolean().optional(),
  RawMessage: z.unknown().optional(),
});

const receiptEventSchema = z.looseObject({
  Chat: jid.nullish(),
  MessageIDs: z.array(z.string().min(1)).min(1),
  Timestamp: z.string().nullish(),
});

const RECEIPT_STATUS: Record<string, MessageStatus> = { Delivered: 'delivered', Read: 'read' };

export function createWuzapiAdapter(): GatewayAdapter {
  return {
    source: 'wuzapi',
    normalise: (job) => guarded('wuzapi', job, () => normaliseWuzapi(job)),
  };
}

/** The postmap and the sender identity, whichever wire format it came in. */
export function unwrapWuzapiPayload(
  payload: unknown,
  event = 'unknown',
): { data: z.infer<typeof wuzapiJsonDataSchema>; userID?: string; instanceName?: string; token?: string } {
  const isForm = typeof payload === 'object' && payload !== null && 'jsonData' in payload;
  if (!isForm) {
    const p = zodParse(wuzapiJsonPayloadSchema, payload, 'wuzapi', event);
    return { data: p, userID: p.userID, instanceName: p.instanceName };
  }
  const p = zodParse(wuzapiFormPayloadSchema, payload, 'wuzapi', event);
  let jsonData: unknown = p.jsonData;
  if (typeof jsonData === 'string') {
    try {
      jsonData = JSON.parse(jsonData);
    } catch {
      throw new InvalidPayloadError('wuzapi', event, [{ path: 'jsonData', message: 'not JSON' }]);
    }
  }
  const data = zodParse(wuzapiJsonDataSchema, jsonData, 'wuzapi', event);
  return { data, userID: p.userID, instanceName: p.instanceName, token: p.token };
}

function normaliseWuzapi(job: WebhookEventJob): NormalisedEvent[] {
  const { data, token } = unwrapWuzapiPayload(job.payload, job.event);
  const type = data.type;
  // Spelled out in each event, not spread from a shared `origin`: see the Evolution adapter.
  const source = 'wuzapi' as const;
  const instance = job.instance;
  const parse = <T>(schema: z.ZodType<T>, value: unknown) => zodParse(schema, value, 'wuzapi', type);
  const fallbackTime = new Date(job.receivedAt).toISOString();

  switch (type) {
    case 'Message': {
      const e = parse(messageEventSchema, data.event);
      const info = e.Info;
      const userToken = token ?? job.auth?.token;
      return [
        messageEvent({
          source,
          instance,
          event: type,
          messageId: info.ID,
          chatJid: info.Chat,
          fromMe: info.IsFromMe,
          phone: otherPartyPhone(info),
          pushName: info.PushName ?? undefined,
          timestamp: isoFromRfc3339(info.Timestamp) ?? fallbackTime,
          receivedAt: job.receivedAt,
          content: e.Message,
          ...(e.IsEdit ? { rawContent: e.RawMessage } : {}),
          ...(userToken ? { userToken } : {}),
        }),
      ];
    }
    case 'ReadReceipt': {
      if (data.state === 'ReadSelf') return [{ type: 'ignored', source, instance, event: type, reason: 'read-self' }];
      const status = data.state ? RECEIPT_STATUS[data.state] : undefined;
      if (!status) return [{ type: 'ignored', source, instance, event: type, reason: 'unknown-status' }];
      const r = parse(receiptEventSchema, data.event);
      const timestamp = isoFromRfc3339(r.Timestamp);
      return r.MessageIDs.map((messageId) => ({
        type: 'message-status',
        source,
        instance,
        messageId,
        status,
        ...(r.Chat ? { chatJid: r.Chat } : {}),
        ...(timestamp ? { timestamp } : {}),
      }));
    }
    case 'Connected':
      return [{ type: 'connection', source, instance, state: 'open' }];
    case 'Disconnected':
      return [{ type: 'connection', source, instance, state: 'close' }];
    case 'LoggedOut':
      return [{ type: 'connection', source, instance, state: 'close', reason: 'logged_out' }];
    default:
      return [{ type: 'ignored', source, instance, event: type, reason: 'unhandled-event' }];
  }
}

/**
 * In whatsmeow, Chat is the other person in a one-to-one chat whichever way the
 * message went. An @lid chat has the phone in SenderAlt (inbound) or
 * RecipientAlt (ours). In a group or status, the author is Sender (or its alt);
 * our own message there has no single other party.
 */
function otherPartyPhone(info: z.infer<typeof messageInfoSchema>): string | undefined {
  const chat = jidKind(info.Chat);
  if (chat === 'group' || chat === 'status') {
    return info.IsFromMe ? undefined : firstPhone(info.Sender, info.SenderAlt);
  }
  if (chat === 'lid') {
    return info.IsFromMe ? firstPhone(info.RecipientAlt) : firstPhone(info.SenderAlt, info.Sender);
  }
  return firstPhone(info.Chat);
}
