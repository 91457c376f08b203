import type { MessageKind } from '@zaprelay/core';

/**
 * Both gateways hand over WhatsApp's protobuf `Message` as JSON with the same
 * lowerCamel keys (Evolution via Baileys, WUZAPI via whatsmeow), so one reader
 * serves both.
 */
export type MessageContent =
  | { kind: MessageKind; text?: string }
  | { kind: 'protocol' } // revoke, edit, ephemeral settings: plumbing, not a message
  | { kind: 'none' }; // only key distribution / context info

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** Containers whose `message` holds the real content. */
const WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'deviceSentMessage',
] as const;

/** Present beside real content (or alone) without being content; `base64`/`mediaUrl` are Evolution's media add-ons. */
const NOT_CONTENT = new Set([
  'messageContextInfo',
  'senderKeyDistributionMessage',
  'fastRatchetKeySenderKeyDistributionMessage',
  'base64',
  'mediaUrl',
]);

function unwrap(message: Obj, depth = 0): Obj {
  if (depth > 4) return message;
  for (const w of WRAPPERS) {
    const inner = obj(obj(message[w])?.message);
    if (inner) return unwrap(inner, depth + 1);
  }
  return message;
}

type Reader = (part: Obj) => { kind: MessageKind; text?: string };

const READERS: Record<string, Reader> = {
  extendedTextMessage: (p) => ({ kind: 'text', text: str(p.text) }),
  imageMessage: (p) => ({ kind: 'image', text: str(p.caption) }),
  videoMessage: (p) => ({ kind: 'video', text: str(p.caption) }),
  ptvMessage: (p) => ({ kind: 'video', text: str(p.caption) }),
  audioMessage: () => ({ kind: 'audio' }),
  documentMessage: (p) => ({ kind: 'document', text: str(p.caption) ?? str(p.fileName) ?? str(p.title) }),
  stickerMessage: () => ({ kind: 'sticker' }),
  locationMessage: locationText,
  liveLocationMessage: locationText,
  contactMessage: (p) => ({ kind: 'contact', text: str(p.displayName) }),
  contactsArrayMessage: (p) => ({
    kind: 'contact',
    text:
      str(p.displayName) ??
      str(
        (Array.isArray(p.contacts) ? p.contacts : [])
          .map((c) => str(obj(c)?.displayName))
          .filter(Boolean)
          .join(', '),
      ),
  }),
  reactionMessage: (p) => ({ kind: 'reaction', text: str(p.text) }),
};

function locationText(p: Obj): { kind: MessageKind; text?: string } {
  const named = str(p.name) ?? str(p.address);
  if (named) return { kind: 'location', text: named };
  const lat = p.degreesLatitude;
  const lng = p.degreesLongitude;
  return typeof lat === 'number' && typeof lng === 'number'
    ? { kind: 'location', text: `${lat},${lng}` }
    : { kind: 'location' };
}

/** Kind and text (or caption) of a WhatsApp message; `text` is absent when there is none. */
export function readMessageContent(raw: unknown): MessageContent {
  const top = obj(raw);
  if (!top) return { kind: 'none' };
  const message = unwrap(top);

  const conversation = message.conversation;
  if (typeof conversation === 'string') return { kind: 'text', text: str(conversation) };
  if (obj(message.protocolMessage) || obj(message.editedMessage)) return { kind: 'protocol' };

  for (const [key, read] of Object.entries(READERS)) {
    const part = obj(message[key]);
    if (part) return read(part);
  }
  const other = Object.keys(message).some((k) => !NOT_CONTENT.has(k) && message[k] != null);
  return other ? { kind: 'other' } : { kind: 'none' };
}
