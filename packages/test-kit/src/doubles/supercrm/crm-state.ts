import { z } from 'zod';

/** The double's data, as SuperCRM's contract describes it (shared/supercrm-api.md). */
export interface CrmContact {
  id: string;
  name: string;
  phone: string;
  email: string | null;
  source: string;
  created_at: string;
  updated_at: string;
}

export interface CrmActivity {
  id: string;
  contact_id: string;
  type: string;
  description: string;
  direction: 'inbound' | 'outbound';
  timestamp: string;
  metadata: Record<string, unknown>;
  created_at: string;
}

/** What the server answers: status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** The contract says "+ then 7 to 15 digits"; nothing stricter. */
const phone = z.string().regex(/^\+\d{7,15}$/, { error: 'must be an E.164 phone: + then 7 to 15 digits' });
/** The contract's most `phone` values in one search. */
const MAX_SEARCH_PHONES = 5;
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO-8601 time' });

const newContactBody = z.object({
  name: z.string().min(1),
  phone,
  email: z.string().optional(),
  source: z.string().min(1),
  created_at: isoTime,
});

const contactUpdateBody = z.object({
  name: z.string().min(1).optional(),
  email: z.string().nullable().optional(),
  phone: phone.optional(),
  updated_at: isoTime,
});

const activityBody = z.object({
  type: z.string().min(1),
  description: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  timestamp: isoTime,
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export const errorAnswer = (status: number, error: string, message: string, extra: object = {}): Answer => ({
  status,
  body: { error, message, ...extra },
});

function invalid(issues: z.core.$ZodIssue[]): Answer {
  const what = issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return errorAnswer(400, 'bad_request', what);
}

export function createCrmState() {
  const contacts = new Map<string, CrmContact>();
  const activities: CrmActivity[] = [];
  let nextContact = 1;
  let nextActivity = 1;
  const now = () => new Date().toISOString();

  const byPhone = (p: string) => [...contacts.values()].find((c) => c.phone === p);
  const notFound = (id: string) => errorAnswer(404, 'not_found', `contact ${id} not found`);
  const conflict = (existing: CrmContact) =>
    errorAnswer(409, 'conflict', 'a contact with this phone exists', { id: existing.id });

  function insert(input: z.infer<typeof newContactBody>): CrmContact {
    const contact: CrmContact = {
      id: `ct_${nextContact++}`,
      name: input.name,
      phone: input.phone,
      email: input.email ?? null,
      source: input.source,
      created_at: input.created_at,
      updated_at: input.created_at,
    };
    contacts.set(contact.id, contact);
    return contact;
  }

  return {
    contacts: () => [...contacts.values()].map((c) => ({ ...c })),
    activities: () => activities.map((a) => ({ ...a, metadata: { ...a.metadata } })),

    /** Test setup: a contact that exists before the test, costing no request. */
    seed(input: { name: string; phone: string; email?: string; source?: string }): CrmContact {
      const parsed = newContactBody.parse({ source: 'seed', created_at: now(), ...input });
      if (byPhone(parsed.phone)) throw new Error(`the double already has a contact with phone ${parsed.phone}`);
      return { ...insert(parsed) };
    },
    /** Test setup: someone deleted the contact in the CRM. */
    remove: (id: string) => contacts.delete(id),

    /** `?phone=A` or `?phone=A&phone=B…` (up to MAX_SEARCH_PHONES, OR-ed). */
    search(query: unknown): Answer {
      const values = Array.isArray(query) ? query : [query];
      if (values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
        return errorAnswer(400, 'bad_request', 'query parameter phone is required');
      }
      if (values.length > MAX_SEARCH_PHONES) {
        return errorAnswer(400, 'bad_request', `at most ${MAX_SEARCH_PHONES} phone values per search`);
      }
      const phones = new Set<string>();
      for (const value of values) {
        const parsed = phone.safeParse(value);
        if (!parsed.success) {
          return errorAnswer(400, 'bad_request', 'phone must be E.164 (+ then 7 to 15 digits; send + as %2B)');
        }
        phones.add(parsed.data);
      }
      return { status: 200, body: { data: [...contacts.values()].filter((c) => phones.has(c.phone)) } };
    },

    createContact(body: unknown): Answer {
      const parsed = newContactBody.safeParse(body);
      if (!parsed.success) return invalid(parsed.error.issues);
      const existing = byPhone(parsed.data.phone);
      if (existing) return conflict(existing);
      return { status: 201, body: insert(parsed.data) };
    },

    getContact(id: string): Answer {
      const contact = contacts.get(id);
      return contact ? { status: 200, body: contact } : notFound(id);
    },

    updateContact(id: string, body: unknown): Answer {
      const contact = contacts.get(id);
      if (!contact) return notFound(id);
      const parsed = contactUpdateBody.safeParse(body);
      if (!parsed.success) return invalid(parsed.error.issues);
      const update = parsed.data;
      const holder = update.phone ? byPhone(update.phone) : undefined;
      if (holder && holder.id !== id) return conflict(holder);
      if (update.name !== undefined) contact.name = update.name;
      if (update.email !== undefined) contact.email = update.email;
      if (update.phone !== undefined) contact.phone = update.phone;
      contact.updated_at = update.updated_at;
      return { status: 200, body: contact };
    },

    createActivity(contactId: string, body: unknown): Answer {
      if (!contacts.has(contactId)) return notFound(contactId);
      const parsed = activityBody.safeParse(body);
      if (!parsed.success) return invalid(parsed.error.issues);
      const activity: CrmActivity = {
        id: `act_${nextActivity++}`,
        contact_id: contactId,
        ...parsed.data,
        created_at: now(),
      };
      activities.push(activity);
      return { status: 201, body: activity };
    },
  };
}
export type CrmState = ReturnType<typeof createCrmState>;
