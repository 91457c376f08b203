import {
  createEvolutionDouble,
  createSuperCrmDouble,
  type EvolutionDouble,
  type SuperCrmDouble,
} from '@zaprelay/test-kit';
import { STACK_SECRETS } from './system-env.js';

export interface Doubles {
  crm: SuperCrmDouble;
  evolution: EvolutionDouble;
  close(): Promise<void>;
}

/**
 * SuperCRM and Evolution doubles on real ports. The CRM's own limit is far
 * above what a scenario sends: these suites are about faults, not the limiter.
 */
export async function startDoubles(
  crmLimit: { max: number; windowMs: number } = { max: 10_000, windowMs: 60_000 },
): Promise<Doubles> {
  const crm = createSuperCrmDouble({ rateLimit: crmLimit });
  const evolution = createEvolutionDouble({
    apiKey: STACK_SECRETS.EVOLUTION_API_KEY,
    instances: { 'sales-01': 'open' },
  });
  await crm.listen();
  await evolution.listen();
  return {
    crm,
    evolution,
    async close() {
      await Promise.all([crm.close(), evolution.close()]);
    },
  };
}
