import { DEMO_DEFAULTS } from './demo-mode.js';

/** Demo credentials that only make sense against a double: never sent to a real service. */
const ONLY_FOR_DOUBLES: Record<string, string> = {
  SUPER_CRM_API_KEY: 'SUPER_CRM_BASE_URL',
  EVOLUTION_API_KEY: 'EVOLUTION_API_URL',
};

const REAL_SERVICES: Array<[variable: string, label: string]> = [
  ['SUPER_CRM_BASE_URL', 'SuperCRM'],
  ['EVOLUTION_API_URL', 'Evolution API'],
  ['WUZAPI_API_URL', 'WUZAPI'],
];

export interface DemoPlan {
  /** Variables to set: demo credentials, and HOST=127.0.0.1. */
  env: Record<string, string>;
  /** What `pnpm start` prints, saying exactly what is real and what is a double. */
  banner: string[];
}

/**
 * Demo mode (some double started): every process listens on 127.0.0.1 only,
 * whatever HOST says, since the demo credentials are public; a real URL the
 * operator did configure is named as real, and no demo key is sent to it.
 */
export function planDemo(configured: NodeJS.ProcessEnv, doubles: string[]): DemoPlan {
  const env: Record<string, string> = { HOST: '127.0.0.1' };
  // The demo is plain HTTP on the loopback: a Secure cookie would not stick in every browser.
  if (!configured.DASHBOARD_PLAIN_HTTP) env.DASHBOARD_PLAIN_HTTP = 'true';
  const defaulted = Object.entries(DEMO_DEFAULTS).filter(([name]) => {
    const realUrl = ONLY_FOR_DOUBLES[name];
    return !configured[name] && !(realUrl && configured[realUrl]);
  });
  for (const [name, value] of defaulted) env[name] = value;
  const real = REAL_SERVICES.filter(([variable]) => configured[variable]).map(
    ([variable, label]) => `   REAL   ${label} at ${configured[variable]} (${variable}): requests leave this machine`,
  );
  const banner = [
    '',
    '################################################################',
    '#  DEMO MODE: test-kit doubles stand in for what is not         #',
    '#  configured. Listening on 127.0.0.1 only.                     #',
    '################################################################',
    ...doubles.map((s) => `   DOUBLE ${s}: nothing leaves this machine`),
    ...real,
    ...(real.length > 0 ? ['   Mixed: messages reach the REAL services above; the doubles see the rest.'] : []),
    ...(configured.HOST && configured.HOST !== '127.0.0.1' ? [`   HOST=${configured.HOST} ignored in demo mode`] : []),
    ...defaulted.map(([name, value]) => `   demo ${name}=${value}`),
    '   Post sample webhooks with: pnpm demo',
    '',
  ];
  return { env, banner };
}
