import { cachedContactId, contactGone, createContact, isNotFound, searchContact } from './contact-resolution.js';
import type { ContactUpsertJob, StepContext, StepOutcome } from './step-context.js';

/**
 * resolve-contact → create-contact when the CRM has none → update-contact when
 * there is a name the CRM does not have yet. Each step sends one request at most.
 */
export async function contactUpsertStep(
  job: ContactUpsertJob,
  ctx: StepContext,
): Promise<StepOutcome<ContactUpsertJob>> {
  const gone = job.goneContactIds ?? [];
  const updateOrDone = (contactId: string, knownName?: string): StepOutcome<ContactUpsertJob> =>
    job.name && job.name !== knownName
      ? { next: { ...job, step: 'update-contact', contactId } }
      : { done: { contactId } };

  switch (job.step) {
    case 'resolve-contact': {
      const cached = await cachedContactId(ctx, job.phone, gone);
      if (cached) return updateOrDone(cached);
      const found = await searchContact(ctx, job.phone, gone);
      return found ? updateOrDone(found.id, found.name) : { next: { ...job, step: 'create-contact' } };
    }
    case 'create-contact': {
      const contact = await createContact(ctx, { phone: job.phone, name: job.name, source: job.source }, gone);
      return updateOrDone(contact.id, contact.name);
    }
    case 'update-contact': {
      const contactId = job.contactId;
      if (!contactId) return { next: { ...job, step: 'resolve-contact' } };
      if (!job.name) return { done: { contactId } };
      try {
        await ctx.client.updateContact(contactId, { name: job.name, updated_at: ctx.now() });
        return { done: { contactId } };
      } catch (err) {
        if (!isNotFound(err)) throw err;
        const goneContactIds = await contactGone(ctx, job.phone, contactId, gone);
        return { next: { ...job, step: 'resolve-contact', contactId: undefined, goneContactIds } };
      }
    }
  }
}
