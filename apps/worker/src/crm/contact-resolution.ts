import { ExternalApiError, phoneForms } from '@zaprelay/core';
import { type Contact, conflictingContactId } from '@zaprelay/supercrm-client';
import { UnrecoverableError } from 'bullmq';
import type { StepContext } from './step-context.js';

/** A 404 on a contact we knew: it was deleted in the CRM. */
export const isNotFound = (err: unknown) => err instanceof ExternalApiError && err.status === 404;

/** The cached id, unless this job already saw the CRM answer 404 for it. No request. */
export async function cachedContactId(ctx: StepContext, phone: string, gone: string[]) {
  const id = await ctx.cache.get(phone);
  return id && !gone.includes(id) ? id : undefined;
}

/**
 * One request: the CRM's search by every form of the phone (both spellings of
 * a Brazilian mobile, OR-ed); a hit is cached. Should the CRM hold a contact
 * under each form, the canonical (13-digit) one wins, as agents write it so.
 */
export async function searchContact(ctx: StepContext, phone: string, gone: string[]): Promise<Contact | undefined> {
  const { canonical, forms } = phoneForms(phone);
  const found = (await ctx.client.searchContactsByPhones(forms)).filter((c) => !gone.includes(c.id));
  const hit = found.find((c) => c.phone === canonical) ?? found[0];
  if (hit) await ctx.cache.set(phone, hit.id);
  return hit;
}

/**
 * One request: creates the contact (in the canonical form of its phone, and
 * remembering the name we wrote), or takes the one the CRM already has (409).
 * Every job creating a phone's contact sends the same Idempotency-Key, so jobs
 * racing for a new number end with one contact. After a contact turned out
 * deleted the key names it, so the CRM cannot replay the deleted one.
 */
export async function createContact(
  ctx: StepContext,
  input: { phone: string; name?: string; source: string },
  gone: string[],
): Promise<{ id: string; name?: string }> {
  const phone = phoneForms(input.phone).canonical;
  const idempotencyKey = gone.length === 0 ? `contact:${phone}` : `contact:${phone}:after:${gone.at(-1)}`;
  let created: { id: string; name?: string };
  try {
    const contact = await ctx.client.createContact(
      { name: input.name || phone, phone, source: input.source, created_at: ctx.now() },
      { idempotencyKey },
    );
    created = { id: contact.id, name: contact.name };
    await ctx.names.remember(contact.id, contact.name, Date.parse(contact.updated_at));
  } catch (err) {
    const existing = conflictingContactId(err);
    if (!existing) throw err;
    created = { id: existing };
  }
  if (gone.includes(created.id)) {
    throw new UnrecoverableError(`SuperCRM names contact ${created.id} for the phone but answers 404 for it`);
  }
  await ctx.cache.set(input.phone, created.id);
  return created;
}

/** The contact is gone: drop it from the cache and remember not to trust it again. */
export async function contactGone(ctx: StepContext, phone: string, contactId: string, gone: string[]) {
  await ctx.cache.forget(phone, contactId);
  return [...gone, contactId];
}
