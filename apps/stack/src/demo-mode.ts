import { createEvolutionDouble, createSuperCrmDouble } from '@zaprelay/test-kit';

/** Credentials the demo uses when none are configured; printed at start, never used in production. */
export const DEMO_DEFAULTS: Record<string, string> = {
  SUPER_CRM_API_KEY: 'demo-supercrm-key',
  EVOLUTION_API_KEY: 'demo-evolution-key',
  EVOLUTION_WEBHOOK_TOKEN: 'demo-evolution-token',
  WUZAPI_WEBHOOK_TOKEN: 'demo-wuzapi-token',
  SUPER_CRM_WEBHOOK_SECRET: 'demo-supercrm-secret',
  API_TOKEN: 'demo-api-token-change-me',
  DASHBOARD_USER: 'admin',
  DASHBOARD_PASSWORD: 'zaprelay-demo',
  EVOLUTION_INSTANCES: 'demo-instance',
};

export interface DemoDoubles {
  env: Record<string, string>;
  started: string[];
  close(): Promise<void>;
}

/** Starts the test kit's SuperCRM and Evolution doubles for whatever URL is unset. */
export async function startDemoDoubles(env: NodeJS.ProcessEnv): Promise<DemoDoubles> {
  const out: Record<string, string> = {};
  const started: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  const crmKey = env.SUPER_CRM_API_KEY ?? DEMO_DEFAULTS.SUPER_CRM_API_KEY;
  const evolutionKey = env.EVOLUTION_API_KEY ?? DEMO_DEFAULTS.EVOLUTION_API_KEY;

  if (!env.SUPER_CRM_BASE_URL) {
    const crm = createSuperCrmDouble({ apiKeys: [crmKey as string] });
    out.SUPER_CRM_BASE_URL = await crm.listen();
    out.SUPER_CRM_API_KEY = crmKey as string;
    started.push(`SuperCRM double at ${out.SUPER_CRM_BASE_URL}`);
    closers.push(() => crm.close());
  }
  if (!env.EVOLUTION_API_URL) {
    const evolution = createEvolutionDouble({ apiKey: evolutionKey as string, instances: { 'demo-instance': 'open' } });
    out.EVOLUTION_API_URL = await evolution.listen();
    out.EVOLUTION_API_KEY = evolutionKey as string;
    started.push(`Evolution API double at ${out.EVOLUTION_API_URL}`);
    closers.push(() => evolution.close());
  }
  return {
    env: out,
    started,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
