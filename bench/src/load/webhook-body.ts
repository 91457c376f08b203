import { evolutionText } from '@zaprelay/test-kit';

/** Instance name of every bench webhook; its token is the ingress' EVOLUTION_WEBHOOK_TOKEN. */
export const BENCH_INSTANCE = 'bench';
export const BENCH_WEBHOOK_TOKEN = 'bench-evolution-token';
export const BENCH_PHONE = '+5511987654321';

/** A realistic Evolution `messages.upsert` text webhook (as Evolution posts it, token in `apikey`) with a unique message id. */
export function evolutionTextWebhook(id: string, phone = BENCH_PHONE) {
  return evolutionText({
    instance: BENCH_INSTANCE,
    apikey: BENCH_WEBHOOK_TOKEN,
    id: `BENCH${id}`,
    phone,
    text: 'Olá! Gostaria de saber o horário de funcionamento de amanhã.',
  });
}

/**
 * The same webhook as a string with the id spliced in: the load generator
 * builds tens of thousands of bodies per second and must not become the
 * bottleneck by building objects.
 */
export function evolutionTextWebhookTemplate(): (id: string) => string {
  const marker = 'BENCH-ID-MARKER';
  const [head, tail] = JSON.stringify(evolutionTextWebhook(marker)).split(`BENCH${marker}`) as [string, string];
  return (id) => `${head}BENCH${id}${tail}`;
}

/** `count` distinct Brazilian mobile numbers besides BENCH_PHONE (for backlogs spread over many chats). */
export const benchPhones = (count: number) =>
  Array.from({ length: count }, (_, i) => `+55119${String(70000000 + i).padStart(8, '0')}`);

/** What the ingress stores for that webhook (the events job), for ceilings and backlogs that skip HTTP. */
export function storedEventJob(id: string, phone = BENCH_PHONE) {
  const { apikey: _secret, destination: _to, server_url: _from, ...payload } = evolutionTextWebhook(id, phone);
  // The ingress leaves the envelope's URLs and Baileys' key material out (EVOLUTION_DROPPED_KEYS): same job size here.
  const { messageContextInfo: _keys, ...message } = payload.data.message;
  payload.data.message = message as typeof payload.data.message;
  return {
    source: 'evolution' as const,
    event: 'messages.upsert',
    instance: payload.instance,
    receivedAt: Date.now(),
    payload,
  };
}
