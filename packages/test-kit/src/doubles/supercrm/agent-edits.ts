import type { Answer, CrmContact, CrmState } from './crm-state.js';

/** What an agent may change on a contact in SuperCRM's UI. */
export interface AgentEdit {
  name?: string;
  phone?: string;
  email?: string | null;
}

/**
 * An agent editing a contact in the CRM (not through the API: no request is
 * recorded, nothing is rate limited). `updated_at` moves strictly forward,
 * even within one millisecond, because it orders `contact.updated` events.
 * Returns the contact as a `contact.updated` event would carry it.
 */
export function editAsAgent(state: CrmState, id: string, edit: AgentEdit): CrmContact {
  const before = state.contacts().find((c) => c.id === id);
  if (!before) throw new Error(`the SuperCRM double has no contact ${id}`);
  const updatedAt = new Date(Math.max(Date.now(), Date.parse(before.updated_at) + 1)).toISOString();
  const answer: Answer = state.updateContact(id, { ...edit, updated_at: updatedAt });
  if (answer.status !== 200) throw new Error(`agent edit of ${id} refused: ${JSON.stringify(answer.body)}`);
  return { ...(answer.body as CrmContact) };
}
