import { type Config, type Logger, toExternalApiError } from '@zaprelay/core';
import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import {
  type Activity,
  activitySchema,
  type Contact,
  type ContactUpdate,
  contactSchema,
  contactSearchSchema,
  type NewActivity,
  type NewContact,
} from './schemas.js';
import { USER_AGENT } from './user-agent.js';

export type CrmClientConfig = Pick<Config, 'SUPER_CRM_BASE_URL' | 'SUPER_CRM_API_KEY' | 'SUPER_CRM_TIMEOUT_MS'>;

/** Every POST carries the caller's key, so that a retry after a lost response creates nothing twice. */
export interface WriteOptions {
  idempotencyKey: string;
}

export interface CrmClient {
  searchContactsByPhone(phone: string): Promise<Contact[]>;
  /** One request for several spellings of a phone (`phone=A&phone=B`, OR-ed; at most MAX_SEARCH_PHONES). */
  searchContactsByPhones(phones: readonly string[]): Promise<Contact[]>;
  createContact(contact: NewContact, options: WriteOptions): Promise<Contact>;
  getContact(id: string): Promise<Contact>;
  updateContact(id: string, update: ContactUpdate): Promise<Contact>;
  createActivity(contactId: string, activity: NewActivity, options: WriteOptions): Promise<Activity>;
}

const SERVICE = 'supercrm';

/** The contract's most `phone` values in one search. */
export const MAX_SEARCH_PHONES = 5;

/**
 * One HTTP call per method. Failures leave as ExternalApiError (classified by
 * core, nothing else decides retryable/permanent/rate limited); a response of
 * the wrong shape counts as a failed call too.
 */
export function createCrmClient(config: CrmClientConfig, logger: Logger): CrmClient {
  if (!config.SUPER_CRM_API_KEY) throw new Error('SUPER_CRM_API_KEY is required to call SuperCRM');
  const log = logger.child({ component: 'supercrm-client' });
  const http = axios.create({
    baseURL: config.SUPER_CRM_BASE_URL,
    timeout: config.SUPER_CRM_TIMEOUT_MS,
    headers: {
      Authorization: `Bearer ${config.SUPER_CRM_API_KEY}`,
      'User-Agent': USER_AGENT,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
  });

  async function call<S extends z.ZodType>(operation: string, schema: S, request: AxiosRequestConfig) {
    const started = performance.now();
    let response: AxiosResponse<unknown>;
    try {
      response = await http.request(request);
    } catch (err) {
      const failure = toExternalApiError(err, SERVICE, operation);
      log.debug({ operation, err: failure.toJSON(), ms: Math.round(performance.now() - started) }, 'call failed');
      throw failure;
    }
    const parsed = schema.safeParse(response.data);
    if (!parsed.success) {
      // Field paths only: values may be personal data.
      const fields = parsed.error.issues.map((i) => i.path.join('.') || '(body)').join(', ');
      const failure = toExternalApiError(new Error(`unexpected response body (${fields})`), SERVICE, operation);
      log.warn({ operation, status: response.status, err: failure.toJSON() }, 'unexpected response');
      throw failure;
    }
    log.debug(
      {
        operation,
        status: response.status,
        replayed: response.headers['idempotent-replayed'] === 'true' || undefined,
        ms: Math.round(performance.now() - started),
      },
      'call done',
    );
    return parsed.data as z.output<S>;
  }

  const contactPath = (id: string) => `/contacts/${encodeURIComponent(id)}`;

  return {
    async searchContactsByPhone(phone) {
      const body = await call('searchContactsByPhone', contactSearchSchema, {
        method: 'GET',
        url: '/contacts/search',
        params: { phone },
      });
      return body.data;
    },
    async searchContactsByPhones(phones) {
      if (phones.length === 0 || phones.length > MAX_SEARCH_PHONES) {
        throw new RangeError(`searchContactsByPhones takes 1 to ${MAX_SEARCH_PHONES} phones, got ${phones.length}`);
      }
      const body = await call('searchContactsByPhones', contactSearchSchema, {
        method: 'GET',
        url: '/contacts/search',
        params: { phone: phones },
        // `phone=A&phone=B`, as the contract wants, not axios's default `phone[]=A`.
        paramsSerializer: { indexes: null },
      });
      return body.data;
    },
    createContact(contact, { idempotencyKey }) {
      return call('createContact', contactSchema, {
        method: 'POST',
        url: '/contacts',
        data: contact,
        headers: { 'Idempotency-Key': idempotencyKey },
      });
    },
    getContact(id) {
      return call('getContact', contactSchema, { method: 'GET', url: contactPath(id) });
    },
    updateContact(id, update) {
      return call('updateContact', contactSchema, { method: 'PUT', url: contactPath(id), data: update });
    },
    createActivity(contactId, activity, { idempotencyKey }) {
      return call('createActivity', activitySchema, {
        method: 'POST',
        url: `${contactPath(contactId)}/activities`,
        data: activity,
        headers: { 'Idempotency-Key': idempotencyKey },
      });
    },
  };
}
