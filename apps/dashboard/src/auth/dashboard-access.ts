import type { Config } from '@zaprelay/core';

/** Thrown by buildDashboard when it must not start; main.ts turns it into one line and exit 1. */
export class DashboardConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DashboardConfigError';
  }
}

export type DashboardAccess =
  | { kind: 'credentials'; user: string; password: string; readOnly: boolean }
  /** Only with DASHBOARD_READ_ONLY=true: anyone who reaches the port may look, nobody may act. */
  | { kind: 'open-read-only'; readOnly: true };

/**
 * Decides who may use the dashboard. A dashboard that can retry and delete
 * jobs must never come up open by accident, so missing credentials are fatal
 * unless the operator chose read-only.
 */
export function resolveDashboardAccess(config: Config): DashboardAccess {
  const user = config.DASHBOARD_USER;
  const password = config.DASHBOARD_PASSWORD;
  if (user !== undefined && password !== undefined) {
    return { kind: 'credentials', user, password, readOnly: config.DASHBOARD_READ_ONLY };
  }
  if (user !== undefined || password !== undefined) {
    throw new DashboardConfigError(
      `dashboard: DASHBOARD_USER and DASHBOARD_PASSWORD must be set together (only ${
        user === undefined ? 'DASHBOARD_PASSWORD' : 'DASHBOARD_USER'
      } is set)`,
    );
  }
  if (!config.DASHBOARD_READ_ONLY) {
    throw new DashboardConfigError(
      'dashboard: refusing to start without credentials; set DASHBOARD_USER and DASHBOARD_PASSWORD ' +
        '(at least 8 characters), or DASHBOARD_READ_ONLY=true for an unauthenticated read-only dashboard',
    );
  }
  return { kind: 'open-read-only', readOnly: true };
}
