// Test-only preload (NODE_OPTIONS=--import=<this file>) for a worker process whose event loop stalls.
// After every ZAPRELAY_TEST_STALL_EVERY-th contact-cache lookup, the lookup's answer blocks the loop
// for ZAPRELAY_TEST_STALL_MS: the worst moment, after BullMQ activated the CRM job and before its
// request leaves, as a huge webhook, a GC pause or a busy host would.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../../packages/core/package.json', import.meta.url));
const ioredis = require('ioredis');
const Redis = ioredis.Redis ?? ioredis.default ?? ioredis;
const stallMs = Number(process.env.ZAPRELAY_TEST_STALL_MS ?? 1000);
const every = Number(process.env.ZAPRELAY_TEST_STALL_EVERY ?? 3);
let lookups = 0;
const get = Redis.prototype.get;

Redis.prototype.get = function stallingGet(key, ...rest) {
  const reply = get.call(this, key, ...rest);
  if (typeof key !== 'string' || !key.includes(':crm:contact:')) return reply;
  lookups += 1;
  if (lookups % every !== 0) return reply;
  return reply.then((value) => {
    const end = Date.now() + stallMs;
    while (Date.now() < end) {
      // busy: nothing else in this process runs
    }
    return value;
  });
};
