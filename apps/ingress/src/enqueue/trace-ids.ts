type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A receipt may name many messages; past this many, the rest are not traced (the job still holds them). */
const MAX_IDS = 20;

const some = (...ids: (string | undefined)[]) => ids.filter((id): id is string => id !== undefined).slice(0, MAX_IDS);

/** The gateway message ids an Evolution event is about: what `GET /api/trace/:messageId` is asked for. */
export function evolutionTraceIds(event: string, data: unknown): string[] {
  const d = obj(data);
  switch (event) {
    case 'messages.upsert':
    case 'send.message':
      return some(str(obj(d?.key)?.id));
    case 'messages.update':
      return some(str(d?.keyId) ?? str(obj(d?.key)?.id));
    case 'messages.delete':
      return some(str(d?.id) ?? str(obj(d?.key)?.id));
    default:
      return [];
  }
}

/** WUZAPI: a message's `Info.ID`, a receipt's `MessageIDs`. */
export function wuzapiTraceIds(type: string, jsonData: Obj): string[] {
  const event = obj(jsonData.event);
  if (type === 'Message') return some(str(obj(event?.Info)?.ID));
  if (type === 'ReadReceipt' && Array.isArray(event?.MessageIDs)) return some(...event.MessageIDs.map(str));
  return [];
}
