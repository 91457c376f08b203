import type { Alert } from '@zaprelay/core';

const ICON: Record<string, string> = {
  down: ':red_circle:',
  degraded: ':large_orange_circle:',
  healthy: ':large_green_circle:',
};

/** One line a person reads in a channel: what, which, why. */
export function alertText(alert: Alert): string {
  const what =
    alert.from && alert.to
      ? `${ICON[alert.to] ?? ':white_circle:'} *${alert.subject}* is ${alert.to} (was ${alert.from})`
      : `:warning: *${alert.subject}*: ${alert.type}`;
  return `[zaprelay] ${what}: ${alert.reason} (${alert.at})`;
}

/** The body ALERT_WEBHOOK_URL receives: the alert itself (json), or an incoming-webhook message (slack). */
export function alertBody(alert: Alert, format: 'json' | 'slack'): Record<string, unknown> {
  return format === 'slack' ? { text: alertText(alert) } : { ...alert };
}
