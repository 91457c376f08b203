import type { WebhookEventJob } from '@zaprelay/core';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An Evolution webhook whose `data` is an array of several items (a
 * messages.upsert batch, a contacts.upsert of a whole address book) becomes
 * one event per item, each in the envelope it came in: one bad item then
 * fails alone, and its valid siblings are synced. Anything else: undefined.
 */
export function splitItems(event: WebhookEventJob): WebhookEventJob[] | undefined {
  if (event.source !== 'evolution' || !isObject(event.payload)) return undefined;
  const payload = event.payload;
  if (!Array.isArray(payload.data) || payload.data.length < 2) return undefined;
  return payload.data.map((item) => ({ ...event, payload: { ...payload, data: [item] } }));
}

/** Deterministic, so a retried split adds nothing twice (BullMQ ignores a job id it holds). */
export const itemJobId = (parentId: string, index: number) => `${parentId}-item-${index}`;

const ADDRESS_BOOK_ITEM_PRIORITY = 10;

/**
 * The events-queue priority of a split item: an address book's entries
 * (thousands on every reconnect) go after any message webhook queued behind
 * them, which BullMQ takes first (no priority); messages keep their order.
 */
export function itemPriority(event: WebhookEventJob): number | undefined {
  return event.event.startsWith('contacts.') ? ADDRESS_BOOK_ITEM_PRIORITY : undefined;
}
