import type { Config } from '@zaprelay/core';

/** Typing indicators: the highest-volume events, and nothing acts on them unless asked. */
const PRESENCE_EVENTS = new Set(['presence.update', 'Presence', 'ChatPresence']);

/** True for a presence event while WEBHOOK_QUEUE_PRESENCE is off: answered `ignored`, never queued. */
export function isIgnoredPresence(config: Pick<Config, 'WEBHOOK_QUEUE_PRESENCE'>, event: string): boolean {
  return !config.WEBHOOK_QUEUE_PRESENCE && PRESENCE_EVENTS.has(event);
}
