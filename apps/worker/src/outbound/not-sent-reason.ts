import { ExternalApiError } from '@zaprelay/core';

/** Evolution's answer for a number WhatsApp does not know: `400 {response: {message: [{exists: false, …}]}}`. */
function notOnWhatsApp(err: ExternalApiError): boolean {
  if (err.status !== 400) return false;
  const message = (err.responseBody as { response?: { message?: unknown } } | undefined)?.response?.message;
  return Array.isArray(message) && message.some((m) => (m as { exists?: unknown } | null)?.exists === false);
}

/** Why a send failed for good, in words an agent can act on (no secrets: status, code, attempts). */
export function notSentReason(err: unknown, phone: string, attempts: number): string {
  if (err instanceof ExternalApiError) {
    if (notOnWhatsApp(err)) return `${phone} is not on WhatsApp`;
    const what = `${err.service} answered ${err.status ? `HTTP ${err.status}` : (err.code ?? 'nothing')}`;
    return err.kind === 'permanent'
      ? `the gateway refused it (${what})`
      : `gave up after ${attempts} attempts (${what})`;
  }
  return err instanceof Error ? err.message : String(err);
}
