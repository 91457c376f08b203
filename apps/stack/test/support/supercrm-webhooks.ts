import { type SuperCrmEvent, signSuperCrm } from '@zaprelay/test-kit';

/** The secret a test stack checks SuperCRM's signatures with (pass it in the stack's env). */
export const STACK_SUPERCRM_WEBHOOK_SECRET = 'stack-supercrm-webhook-secret';

/** A SuperCRM webhook, signed as SuperCRM signs it; the HTTP status. */
export async function postSuperCrm(ingressUrl: string, event: SuperCrmEvent): Promise<number> {
  const body = JSON.stringify(event);
  const res = await fetch(`${ingressUrl}/webhooks/supercrm`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...signSuperCrm(STACK_SUPERCRM_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), body),
    },
  });
  await res.arrayBuffer();
  return res.status;
}
