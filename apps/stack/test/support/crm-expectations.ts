import { type SuperCrmDouble, waitFor } from '@zaprelay/test-kit';
import { expect } from 'vitest';

/** How many activities the CRM double holds per WhatsApp message id (metadata.message_id). */
export function activityCounts(crm: SuperCrmDouble): Map<string, number> {
  const counts = new Map<string, number>();
  for (const activity of crm.activities()) {
    const id = String(activity.metadata.message_id);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Message ids with more than one activity. */
export function duplicatedMessages(crm: SuperCrmDouble): string[] {
  return [...activityCounts(crm)].filter(([, n]) => n > 1).map(([id]) => id);
}

/** Waits until every given message has at least one activity in the CRM double. */
export async function waitForActivities(crm: SuperCrmDouble, messageIds: string[], timeoutMs = 60_000): Promise<void> {
  try {
    await waitFor(
      `${messageIds.length} activities in the CRM`,
      () => {
        const counts = activityCounts(crm);
        return messageIds.every((id) => counts.has(id));
      },
      timeoutMs,
      100,
    );
  } catch (err) {
    const counts = activityCounts(crm);
    const missing = messageIds.filter((id) => !counts.has(id));
    throw new Error(`${(err as Error).message}; missing ${missing.length}: ${missing.slice(0, 20).join(', ')}`);
  }
}

/** Activity-creating requests (POST …/activities) the double saw, per Idempotency-Key. */
export function activityRequestsByKey(crm: SuperCrmDouble): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of crm.requests()) {
    if (r.method !== 'POST' || !/\/activities$/.test(r.path)) continue;
    const key = r.idempotencyKey ?? '(none)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Exactly one activity per given message, and no other activity at all. */
export function expectEachOnce(crm: SuperCrmDouble, messageIds: string[]): void {
  const counts = activityCounts(crm);
  expect(messageIds.map((id) => counts.get(id))).toEqual(messageIds.map(() => 1));
  expect(crm.activities()).toHaveLength(messageIds.length);
}

/** Seeds a known CRM contact for each phone (digits, as the gateways write them). */
export function seedContacts(crm: SuperCrmDouble, phones: string[], label: string): void {
  for (const [i, phone] of phones.entries()) crm.seedContact({ name: `${label} ${i}`, phone: `+${phone}` });
}
