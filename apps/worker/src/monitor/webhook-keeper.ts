import type { RedisClient } from '@zaprelay/core';
import {
  type Config,
  instanceKey,
  type Logger,
  monitorKeys,
  type WebhookSetupRecord,
  webhookSetupRecordSchema,
} from '@zaprelay/core';
import {
  type EvolutionWebhookCalls,
  type SetupCheck,
  setupTarget,
  type WuzapiSessionCalls,
} from '@zaprelay/gateway-clients';
import type { AlertPublisher } from './alert-publisher.js';

export interface WebhookKeeperDeps {
  redis: RedisClient;
  config: Config;
  logger: Logger;
  publish: AlertPublisher;
  evolution?: EvolutionWebhookCalls;
  wuzapi?: WuzapiSessionCalls;
}

export type KeeperOutcome = 'not-due' | 'kept' | 'restored' | 'restore-failed' | 'check-failed' | 'skipped';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Keeps the webhooks set up through /api/setup/* in place: each one is read back from its gateway
 * every WEBHOOK_SETUP_CHECK_INTERVAL_MS (one read per interval however many workers tick: the
 * check key is taken with SET NX), and re-applied with an alert when the gateway lost or changed
 * it. Evolution wipes it on some restarts; WUZAPI loses its HMAC key cache.
 */
export function createWebhookKeeper({ redis, config, logger, publish, evolution, wuzapi }: WebhookKeeperDeps) {
  const log = logger.child({ component: 'webhook-keeper' });
  const keys = monitorKeys(config.QUEUE_PREFIX);

  async function recorded(): Promise<WebhookSetupRecord[]> {
    const raw = await redis.hvals(keys.webhookSetups);
    return raw.flatMap((json) => {
      try {
        const parsed = webhookSetupRecordSchema.safeParse(JSON.parse(json));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }

  async function keepOne(record: WebhookSetupRecord): Promise<KeeperOutcome> {
    // This worker may not reach that gateway (or no longer knows the WUZAPI user): another one may.
    const calls = setupTarget({ config, evolution, wuzapi }, record.gateway, record.instance);
    if (typeof calls === 'string') return 'skipped';
    const due = await redis.set(
      keys.webhookCheck(record.gateway, instanceKey(record.instance)),
      '1',
      'PX',
      config.WEBHOOK_SETUP_CHECK_INTERVAL_MS,
      'NX',
    );
    if (due !== 'OK') return 'not-due';
    const fields = { gateway: record.gateway, instance: record.instance };
    let check: SetupCheck;
    try {
      check = await calls.check();
    } catch (err) {
      // An unreachable gateway is the instance monitor's news; the next interval reads again.
      log.warn({ ...fields, err: message(err) }, 'could not read the webhook config back');
      return 'check-failed';
    }
    if (check.matches) return 'kept';
    const subject = `webhook:${record.gateway}:${instanceKey(record.instance)}`;
    const lost = check.differences.join('; ');
    try {
      await calls.apply();
    } catch (err) {
      log.error({ ...fields, differences: check.differences, err: message(err) }, 'webhook lost and not restored');
      await publish({
        subject,
        from: 'healthy',
        to: 'down',
        reason: `${record.gateway} lost the webhook of ${record.instance} (${lost}) and re-applying it failed: ${message(err)}`,
      });
      return 'restore-failed';
    }
    log.warn({ ...fields, differences: check.differences }, 'webhook lost at the gateway; re-applied');
    await publish({
      subject,
      from: 'down',
      to: 'healthy',
      reason: `${record.gateway} had lost the webhook of ${record.instance} (${lost}); zaprelay re-applied it`,
    });
    return 'restored';
  }

  return {
    async run(): Promise<Record<string, KeeperOutcome>> {
      const outcomes: Record<string, KeeperOutcome> = {};
      for (const record of await recorded()) {
        outcomes[`${record.gateway}:${record.instance}`] = await keepOne(record).catch((err) => {
          log.error({ gateway: record.gateway, instance: record.instance, err: message(err) }, 'webhook keeper failed');
          return 'check-failed' as const;
        });
      }
      return outcomes;
    },
  };
}

export type WebhookKeeper = ReturnType<typeof createWebhookKeeper>;
