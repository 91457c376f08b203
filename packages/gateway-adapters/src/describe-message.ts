import type { InternalMessage } from '@zaprelay/core';

/**
 * The CRM activity description: text as it is; anything else as `[kind]`
 * followed by its caption (or file name, place, contact name, emoji) if any.
 */
export function describeMessage(m: Pick<InternalMessage, 'kind' | 'text'>): string {
  if (m.kind === 'text') return m.text ?? '';
  return m.text ? `[${m.kind}] ${m.text}` : `[${m.kind}]`;
}
