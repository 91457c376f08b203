import { evolutionText, type WuzapiJsonData, wuzapiFormBody } from '@zaprelay/test-kit';
import { STACK_SECRETS } from './system-env.js';

/** The HTTP status, or `no-answer` when the ingress refused the connection or never answered. */
export type PostOutcome = number | 'no-answer';

const POST_TIMEOUT_MS = 10_000;

async function post(url: string, body: string, headers: Record<string, string>): Promise<PostOutcome> {
  try {
    const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(POST_TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'no-answer';
  }
}

export interface InboundText {
  id: string;
  phone: string;
  text?: string;
  pushName?: string;
}

/** Any Evolution webhook body, as Evolution posts it (token header). */
export function postEvolution(ingressUrl: string, body: object): Promise<PostOutcome> {
  return post(`${ingressUrl}/webhooks/evolution`, JSON.stringify(body), {
    'content-type': 'application/json',
    'x-webhook-token': STACK_SECRETS.EVOLUTION_WEBHOOK_TOKEN,
  });
}

/** An Evolution `messages.upsert` of an inbound text. */
export function postEvolutionText(ingressUrl: string, message: InboundText): Promise<PostOutcome> {
  return postEvolution(
    ingressUrl,
    evolutionText({ id: message.id, phone: message.phone, text: message.text, pushName: message.pushName }),
  );
}

/** `POST /api/messages`: the status and the send's id. */
export async function postApiMessage(
  ingressUrl: string,
  message: { instance: string; to: string; text: string },
): Promise<{ status: number; id?: string }> {
  const res = await fetch(`${ingressUrl}/api/messages`, {
    method: 'POST',
    body: JSON.stringify(message),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${STACK_SECRETS.API_TOKEN}` },
  });
  const body = (await res.json()) as { id?: string };
  return { status: res.status, id: body.id };
}

/** A WUZAPI webhook in its default form encoding, authenticated by the shared token. */
export function postWuzapiForm(ingressUrl: string, jsonData: WuzapiJsonData): Promise<PostOutcome> {
  return post(`${ingressUrl}/webhooks/wuzapi`, wuzapiFormBody(jsonData), {
    'content-type': 'application/x-www-form-urlencoded',
    'x-webhook-token': STACK_SECRETS.WUZAPI_WEBHOOK_TOKEN,
  });
}

export const isAcknowledged = (outcome: PostOutcome) => typeof outcome === 'number' && outcome >= 200 && outcome < 300;

export interface StreamRecord extends InboundText {
  outcome: PostOutcome;
}

export interface WebhookStream {
  /** Every post so far, in order. */
  readonly records: StreamRecord[];
  /** Message ids the ingress acknowledged with a 2xx. */
  acknowledged(): string[];
  count(outcome: PostOutcome | ((o: PostOutcome) => boolean)): number;
  /** Stops after the post in flight; resolves when it is done. */
  stop(): Promise<void>;
}

/**
 * A gateway delivering messages one after another (a new id each time, a few
 * phones in turn), as fast as the ingress answers; `pauseMs` between posts.
 */
export function startWebhookStream(
  ingressUrl: string,
  options: { phones: string[]; label: string; pauseMs?: number },
): WebhookStream {
  const records: StreamRecord[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const message = { id: `${options.label}-${n}`, phone: options.phones[n % options.phones.length] as string };
      records.push({ ...message, outcome: await postEvolutionText(ingressUrl, message) });
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 20));
    }
  })();
  return {
    records,
    acknowledged: () => records.filter((r) => isAcknowledged(r.outcome)).map((r) => r.id),
    count: (outcome) =>
      records.filter((r) => (typeof outcome === 'function' ? outcome(r.outcome) : r.outcome === outcome)).length,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** `count` inbound texts `${label}-n` from the phones in turn, posted one by one; their message ids. */
export async function postTexts(ingressUrl: string, label: string, count: number, phones: string[]): Promise<string[]> {
  const messages = Array.from({ length: count }, (_, n) => ({
    id: `${label}-${n}`,
    phone: phones[n % phones.length] as string,
  }));
  for (const message of messages) {
    const outcome = await postEvolutionText(ingressUrl, message);
    if (outcome !== 202) throw new Error(`${message.id}: the ingress answered ${outcome}, not 202`);
  }
  return messages.map((m) => m.id);
}
