import type { CrmClient } from '@zaprelay/supercrm-client';

/**
 * The CRM queue's limiter counts job activations, so one processing may send
 * one request at most. This turns a second one into a loud bug instead of a
 * silent breach of the CRM's limit, and tells the runner whether the budget
 * is spent (then the job's next step waits for its own turn).
 */
export function oneRequestBudget(client: CrmClient): { client: CrmClient; spent(): boolean } {
  let spent = false;
  const once =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (spent) return Promise.reject(new Error('bug: a CRM job processing may send only one request'));
      spent = true;
      return call(...args);
    };
  return {
    client: {
      searchContactsByPhone: once(client.searchContactsByPhone.bind(client)),
      searchContactsByPhones: once(client.searchContactsByPhones.bind(client)),
      createContact: once(client.createContact.bind(client)),
      getContact: once(client.getContact.bind(client)),
      updateContact: once(client.updateContact.bind(client)),
      createActivity: once(client.createActivity.bind(client)),
    },
    spent: () => spent,
  };
}
