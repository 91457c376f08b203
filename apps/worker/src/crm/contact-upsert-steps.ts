import { cachedContactId, contactGone, createContact, isNotFound, searchContact } from './contact-resolution.js';
import type { ContactUpsertJob, StepContext, StepOutcome } from './step-context.js';

/**
 * resolve-contact → create-contact when the CRM has none → (check-name →)
 * update-contact when a WhatsApp name may replace the one in the CRM. Each step
 * sends one request at most.
 *
 * The name belongs to the agents: zaprelay changes it only while the CRM
 * still holds what zaprelay last wrote (contact-names.ts), and sends no PUT
 * when nothing would change.
 */
export async function contactUpsertStep(
  job: ContactUpsertJob,
  ctx: StepContext,
): Promise<StepOutcome<ContactUpsertJob>> {
  const gone = job.goneContactIds ?? [];

  /** `crmName`: the name the CRM holds, when this job has seen it; undefined when only the cache spoke. */
  async function nameStep(contactId: string, crmName?: string): Promise<StepOutcome<ContactUpsertJob>> {
    const done = { done: { contactId } };
    if (!job.name || job.name === crmName) return done;
    const written = await ctx.names.written(contactId);
    if (!written) return done; // never ours (an agent's contact, or one made before we kept track)
    if (crmName === undefined) {
      // Nothing would change, or it might: one GET tells an agent's edit from our own name.
      return written.name === job.name ? done : { next: { ...job, step: 'check-name', contactId } };
    }
    if (crmName === written.name) return { next: { ...job, step: 'update-contact', contactId } };
    await ctx.names.giveUp(contactId); // an agent renamed it; later names cost no request
    return done;
  }

  const contactIsGone = async (contactId: string): Promise<StepOutcome<ContactUpsertJob>> => {
    const goneContactIds = await contactGone(ctx, job.phone, contactId, gone);
    return { next: { ...job, step: 'resolve-contact', contactId: undefined, goneContactIds } };
  };

  switch (job.step) {
    case 'resolve-contact': {
      const cached = await cachedContactId(ctx, job.phone, gone);
      if (cached) return nameStep(cached);
      const found = await searchContact(ctx, job.phone, gone);
      return found ? nameStep(found.id, found.name) : { next: { ...job, step: 'create-contact' } };
    }
    case 'create-contact': {
      const contact = await createContact(ctx, { phone: job.phone, name: job.name, source: job.source }, gone);
      return nameStep(contact.id, contact.name);
    }
    case 'check-name': {
      const contactId = job.contactId;
      if (!contactId) return { next: { ...job, step: 'resolve-contact' } };
      try {
        const contact = await ctx.client.getContact(contactId);
        return nameStep(contactId, contact.name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return contactIsGone(contactId);
      }
    }
    case 'update-contact': {
      const contactId = job.contactId;
      if (!contactId) return { next: { ...job, step: 'resolve-contact' } };
      if (!job.name) return { done: { contactId } };
      try {
        const updated = await ctx.client.updateContact(contactId, { name: job.name, updated_at: ctx.now() });
        await ctx.names.remember(contactId, updated.name, Date.parse(updated.updated_at));
        return { done: { contactId } };
      } catch (err) {
        if (!isNotFound(err)) throw err;
        return contactIsGone(contactId);
      }
    }
  }
}
