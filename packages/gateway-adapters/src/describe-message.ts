import type { InternalMessage } from '@zaprelay/core';

/**
 * The CRM activity description: text as it is; anything else as `[kind]`
 * followed by its caption (or file name, place, contact name, emoji) if any.
 */
export function describeMessage(m: Pick<InternalMessage, 'kind' | 'text' | 'revision'>): string {
  if (m.revision?.type === 'deleted') return '[deleted]';
  if (m.revision?.type === 'edited') return `[edited] ${describeMessage({ kind: m.kind, text: m.text })}`;
  if (m.kind === 'text') return m.text ?? '';
  return m.text ? `[${m.kind}] ${m.text}` : `[${m.kind}]`;
}
