import { jidKind } from './jid.js';
import type { NormalisedEvent } from './normalised-event.js';

export interface GroupPolicy {
  /** CRM_SYNC_GROUPS: log group and status messages on their author's contact. */
  syncGroups: boolean;
}

/**
 * Adapters return group and status-broadcast messages as ordinary messages
 * (isGroup true, phone = author) so the choice stays with the caller; this
 * turns them into `skipped` events (reason `group` / `status-broadcast`) when
 * groups are not synced. Everything else passes through unchanged.
 */
export function applyGroupPolicy(event: NormalisedEvent, policy: GroupPolicy): NormalisedEvent {
  if (event.type !== 'message' || !event.message.isGroup || policy.syncGroups) return event;
  const m = event.message;
  return {
    type: 'skipped',
    source: m.source,
    instance: m.instance,
    event: 'message',
    reason: jidKind(m.chatJid) === 'status' ? 'status-broadcast' : 'group',
    messageId: m.messageId,
    chatJid: m.chatJid,
  };
}
