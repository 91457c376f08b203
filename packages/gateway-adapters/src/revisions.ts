/**
 * Edits and deletions for everyone arrive as WhatsApp protocol messages that
 * name the original message by its key: Baileys (Evolution) as
 * `protocolMessage` or `editedMessage.message.protocolMessage`, with the type
 * spelled as protobufjs's JSON does (`"REVOKE"`, `"MESSAGE_EDIT"`); whatsmeow
 * (WUZAPI) as Go marshals the proto (numbers, key id as `ID`).
 */
export type Revision =
  | { type: 'edited'; originalMessageId: string; content: unknown }
  | { type: 'deleted'; originalMessageId: string };

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** WhatsApp's ProtocolMessage.Type: REVOKE = 0, MESSAGE_EDIT = 14. */
const REVOKE = new Set<unknown>([0, '0', 'REVOKE']);
const MESSAGE_EDIT = new Set<unknown>([14, '14', 'MESSAGE_EDIT']);

export function readRevision(raw: unknown): Revision | undefined {
  const top = obj(raw);
  const protocol = obj(top?.protocolMessage) ?? obj(obj(obj(top?.editedMessage)?.message)?.protocolMessage);
  if (!protocol) return undefined;
  const key = obj(protocol.key);
  const originalMessageId = str(key?.id) ?? str(key?.ID);
  if (!originalMessageId) return undefined;
  if (REVOKE.has(protocol.type)) return { type: 'deleted', originalMessageId };
  if (MESSAGE_EDIT.has(protocol.type)) return { type: 'edited', originalMessageId, content: protocol.editedMessage };
  return undefined;
}

/**
 * The revision's own message id: derived from the original's, so that one
 * deletion reported three ways (a revoke upsert, `messages.update` DELETED,
 * `messages.delete`) is one activity; an edit adds its own id (a message can
 * be edited more than once).
 */
export function revisionMessageId(revision: Revision, ownId: string): string {
  return revision.type === 'deleted'
    ? `${revision.originalMessageId}:deleted`
    : `${revision.originalMessageId}:edited:${ownId}`;
}

/** What a deletion looks like as message content, for events that report it without a protocol message. */
export const revokeOf = (messageId: string) => ({ protocolMessage: { type: 'REVOKE', key: { id: messageId } } });
