import { hash } from 'node:crypto';
import { instanceKey } from '../instances.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const contentHash = (v: unknown) => hash('sha256', JSON.stringify(v) ?? '', 'base64url');

/**
 * What makes an Evolution redelivery recognisable: source, instance, event and
 * message id (plus the status for status updates). Contact lists have no id,
 * so their content is the key. Presence, connection and QR events carry no
 * identity and are cheap to process twice: not deduplicated.
 */
export function evolutionDedupeKey(event: string, instance: string, data: unknown): string | undefined {
  const d = obj(data);
  // Any spelling of the instance (webhook, config, reconciliation) is one key: `Vendas-01` is `vendas-01`.
  const base = `evolution|${instanceKey(instance)}|${event}`;
  switch (event) {
    case 'messages.upsert':
    case 'send.message': {
      const id = str(obj(d?.key)?.id);
      return id ? `${base}|${id}` : undefined;
    }
    case 'messages.update': {
      const id = str(d?.keyId) ?? str(obj(d?.key)?.id) ?? str(d?.id);
      return id ? `${base}|${id}|${str(d?.status) ?? ''}` : `${base}|${contentHash(data)}`;
    }
    case 'messages.delete': {
      const id = str(d?.id) ?? str(obj(d?.key)?.id);
      return id ? `${base}|${id}` : `${base}|${contentHash(data)}`;
    }
    case 'contacts.upsert':
    case 'contacts.update':
      return `${base}|${contentHash(data)}`;
    default:
      return undefined;
  }
}

/** WUZAPI: a message's `Info.ID`; a receipt's message ids and state. */
export function wuzapiDedupeKey(type: string, instance: string, jsonData: Obj): string | undefined {
  const event = obj(jsonData.event);
  const base = `wuzapi|${instanceKey(instance)}|${type}`;
  if (type === 'Message') {
    const id = str(obj(event?.Info)?.ID);
    return id ? `${base}|${id}` : undefined;
  }
  if (type === 'ReadReceipt') {
    const ids = Array.isArray(event?.MessageIDs) ? event.MessageIDs.filter((x) => typeof x === 'string') : [];
    const state = str(jsonData.state) ?? str(event?.Type) ?? '';
    return ids.length ? `${base}|${ids.join(',')}|${state}` : undefined;
  }
  return undefined;
}
