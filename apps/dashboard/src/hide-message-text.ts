/** Where the gateways, the CRM and our own jobs put what a person wrote. */
const TEXT_KEYS = new Set([
  'text',
  'conversation',
  'caption',
  'body',
  'description',
  'Text',
  'Conversation',
  'Caption',
  'Body',
]);

/** A copy of job data with every message text replaced, for viewers nobody has signed in as. */
export function hideMessageText(value: unknown, depth = 0): unknown {
  if (depth > 64) return '[hidden]';
  if (Array.isArray(value)) return value.map((item) => hideMessageText(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        TEXT_KEYS.has(k) && typeof v === 'string' ? '[hidden]' : hideMessageText(v, depth + 1),
      ]),
    );
  }
  return value;
}
