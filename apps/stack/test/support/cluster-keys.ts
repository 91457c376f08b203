import { allPhysicalQueues, type Config, queuePrefix, type RedisClient } from '@zaprelay/core';
import { keysUnder } from '@zaprelay/test-kit';

/** Keys BullMQ writes for every queue it touches: their base is the queue's `<prefix>:<name>`. */
const QUEUE_KEY =
  /^(.*):(meta|id|events|stalled-check|wait|active|completed|failed|delayed|prioritized|marker|de:[\w.-]+)$/;

/**
 * Our own key families that live outside any queue without a hash tag. Each is
 * used only by single-key commands (or a Lua script / MULTI on that one key),
 * so its slot does not matter. Add a family here only after checking that.
 */
const SINGLE_KEY_FAMILIES = [
  /:dedupe:[\w-]+$/, // the previous release's intake marker (EXISTS)
  /:dedupe-legacy-(until|checked)$/, // whether those may still be live (GET / SET)
  /:trace:[^:]/, // message trace list (a pipeline on one key)
  /:monitor:/, // history lists, status hashes, alerts, quiet periods, CRM request window, refused counters
  /:lid:(phone:|waiting$)/, // lid → phone pair (SET GET), waiting messages (one hash)
  /:circuit:[\w-]+$/, // breaker hash (Lua on KEYS[1] only)
  /:crm:(send-window$|contact:|contact-phone:|contact-name:|phone-owner:|upsert-applied:|upsert-wanted:)/, // CRM caches; the window and owners are Lua on one key
  /:api-idempotency:/, // Idempotency-Key claims (SET NX)
  /:dashboard:(session:|session-secret$|login-failures:)/, // sessions, cookie secret, login throttle (rate-limiter-flexible: one key)
  /:outbound:claims:/, // send claims (SET NX)
  /:phone-instance:/, // the instance a phone last wrote from
  /:seen-chats:/, // WUZAPI chats seen, for reconciliation
];

/**
 * What would break on a Redis Cluster: a BullMQ queue whose keys carry no
 * hash tag or another tag than core's queuePrefix gives it (its scripts then
 * fail with CROSSSLOT, or it is a queue nobody else finds), and any untagged
 * key outside the families known to be single-key.
 */
export async function clusterKeyProblems(redis: RedisClient, config: Config): Promise<string[]> {
  const expectedBases = new Set(allPhysicalQueues(config).map((q) => `${queuePrefix(config, q)}:${q}`));
  const keys = await keysUnder(redis, config.QUEUE_PREFIX);
  const problems: string[] = [];
  for (const key of keys) {
    const base = key.match(QUEUE_KEY)?.[1];
    if (base !== undefined && !base.includes('{')) problems.push(`queue key without a hash tag: ${key}`);
    else if (base !== undefined && /^[^{]*\{[^}]+\}:[\w-]+$/.test(base) && !expectedBases.has(base)) {
      problems.push(`queue key under another prefix than queuePrefix gives: ${key}`);
    } else if ([...expectedBases].some((b) => key.startsWith(`${b}:`))) {
      // a queue's own key (job hashes, locks, logs…): tagged with its queue
    } else if (!key.includes('{') && !SINGLE_KEY_FAMILIES.some((family) => family.test(key))) {
      problems.push(`untagged key of no known single-key family: ${key}`);
    }
  }
  if (keys.length === 0) problems.push(`no keys at all under ${config.QUEUE_PREFIX}:`);
  return problems;
}
