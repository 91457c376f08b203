import {
  type Config,
  type InternalMessage,
  type RedisClient,
  redisScript,
  TRACE_APPEND_LUA,
  type TraceWrite,
} from '@zaprelay/core';
import { Job, type Queue } from 'bullmq';

/**
 * Conversation order: within one chat, activities are created in the order
 * the messages were sent, even when an earlier one needs retries.
 *
 * Each chat has a sorted set of its messages still pending in the CRM queue,
 * scored by the gateway's timestamp (ms); the member is
 * `<received at><arrival seq>|<job id>` (both zero-padded), so messages of the
 * same second (Evolution gives no milliseconds) keep the order the ingress
 * received them in (Redis orders equal scores by member). The arrival seq is
 * taken by the process that queues the message (its clock in 1/100 ms, never
 * repeating within the process), not from Redis: the member, the job and the
 * check behind it then leave in one write instead of three round trips. It
 * only breaks ties between messages of the chat received in the same
 * millisecond, which concurrent workers order arbitrarily anyway, and it
 * tells a redelivery (another seq) from its first delivery. A message gets its
 * `metadata.chat_seq` from a second per-chat counter when it passes the gate,
 * i.e. in the order its chat's activities are created: a CRM sorts a
 * same-second burst by it.
 *
 * A job may create its activity only while it is the head of its chat's set.
 * Otherwise it moves itself to the delayed set until its wait deadline
 * (`moveToDelayed`, which uses no attempt) and is woken early, to the front
 * of the queue, by the message before it, which removes itself from the set
 * when it is done or has failed for good and then wakes the new head. A job
 * that finds its deadline passed (CRM_CHAT_ORDER_MAX_WAIT_MS after it first
 * had to wait) goes ahead anyway: a message retrying for hours holds its chat
 * that long at most. Chats never wait for each other: the set is per chat.
 *
 * Keys are per chat and every command touches one key (Redis Cluster safe).
 * A job without a member (queued before this existed, or retried by hand
 * after failing for good) is not held.
 */
export interface ChatOrder {
  /**
   * Queues the message's job (`job`, given the message's seq: its name and data) under its chat's order; returns the seq.
   * `alongside`: the caller's writes, made in the step that enters the chat (one Redis only: on a cluster their keys
   * are in other slots, and the caller writes them itself).
   */
  enter(
    message: InternalMessage,
    jobId: string,
    job: (chatSeq: number) => { name: string; data: object },
    alongside?: EntryWrites,
  ): Promise<number>;
  /** The earliest message of the chat still pending, if it is not this one. */
  blockedBy(message: InternalMessage, jobId: string, chatSeq: number): Promise<PendingHead | undefined>;
  /** Stops waiting for a head that held its chat too long (its job stays, retrying or failed). */
  giveUp(message: InternalMessage, head: PendingHead): Promise<void>;
  /** The next number among the chat's activities (metadata.chat_seq). */
  nextActivitySeq(message: InternalMessage): Promise<number>;
  /** The message is done (or failed for good): out of the set, and the next one is woken up. */
  leave(message: InternalMessage, jobId: string, chatSeq: number): Promise<void>;
}

/** One string value with a TTL. */
export interface KeyWrite {
  key: string;
  value: string;
  ttlSeconds: number;
}

/** Writes that go out with a message's entry into its chat's order, before its job exists. */
export interface EntryWrites {
  /** The message's trace entry: written before the job, so a CRM attempt's entry cannot precede it. */
  trace?: TraceWrite;
  /** A string with a TTL (the instance that last talked with the phone). */
  value?: KeyWrite;
}

export interface PendingHead {
  jobId: string;
  member: string;
}

const SEQ_WIDTH = 15;
/** Received-at then seq, fixed width: the job id (which may hold '|') starts right after. */
const ORDER_WIDTH = 2 * SEQ_WIDTH;
/** Longer than any job can stay in the queue; a set whose messages all left is empty and gone anyway. */
const KEY_TTL_SECONDS = 30 * 24 * 60 * 60;

const chatTag = (m: Pick<InternalMessage, 'instance' | 'chatJid'>) => `{${m.instance}:${m.chatJid}}`;
const pad = (n: number) => String(n).padStart(SEQ_WIDTH, '0');
const memberOf = (m: InternalMessage, jobId: string, chatSeq: number) =>
  `${pad(m.receivedAt ?? 0)}${pad(chatSeq)}|${jobId}`;
const jobIdOf = (member: string) => member.slice(ORDER_WIDTH + 1);

/**
 * 1 when the job hash holds this message's job (its data has this chatSeq)
 * and it is not finished (completed and failed jobs have finishedOn); else 0.
 * One key: the job's own slot. KEYS: job hash; ARGV: chatSeq.
 */
const PENDING_AS_ADDED = redisScript(`
local job = redis.call('HMGET', KEYS[1], 'data', 'finishedOn')
if not job[1] or job[2] then return 0 end
local ok, data = pcall(cjson.decode, job[1])
if ok and type(data) == 'table' and tonumber(data.chatSeq) == tonumber(ARGV[1]) then return 1 end
return 0
`);

/**
 * One Redis: the message's member (and the set's TTL) with the caller's
 * writes, in one call. KEYS: pending set, then the value's key if ARGV[4] is
 * 1, then the trace keys. ARGV: score, member, set TTL, 1|0, value, its TTL,
 * trace entry, max entries, head entries, trace TTL.
 */
const ENTER = redisScript(`${TRACE_APPEND_LUA}
local traceFrom = 2
if ARGV[4] == '1' then
  redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[6])
  traceFrom = 3
end
for i = traceFrom, #KEYS do
  traceAppend(KEYS[i], ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10])
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`);

/**
 * One Redis, after the add: PENDING_AS_ADDED, and the member follows it. Kept:
 * the member is (re)written, so an ENTER re-sent after a NOSCRIPT (behind the
 * add) leaves the job without it for no longer than this call; not kept (a
 * redelivery that collapsed into another job, or a finished one): the member
 * goes. KEYS: job hash, pending set; ARGV: chatSeq, score, member, set TTL.
 */
const SETTLE = redisScript(`
local kept = 0
local job = redis.call('HMGET', KEYS[1], 'data', 'finishedOn')
if job[1] and not job[2] then
  local ok, data = pcall(cjson.decode, job[1])
  if ok and type(data) == 'table' and tonumber(data.chatSeq) == tonumber(ARGV[1]) then kept = 1 end
end
if kept == 1 then
  if redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
else
  redis.call('ZREM', KEYS[2], ARGV[3])
end
return kept
`);

function enterArgs(key: string, score: number, member: string, w: EntryWrites = {}) {
  const keys = [key];
  const args: Array<string | number> = [score, member, KEY_TTL_SECONDS];
  if (w.value) keys.push(w.value.key);
  args.push(w.value ? 1 : 0, w.value?.value ?? '', w.value?.ttlSeconds ?? 0);
  if (w.trace) keys.push(...w.trace.keys);
  args.push(w.trace?.entry ?? '', w.trace?.maxEntries ?? 0, w.trace?.headEntries ?? 0, w.trace?.ttlSeconds ?? 0);
  return { keys, args };
}

/**
 * Moves a job that parked for its chat from the delayed set to the front of
 * the wait list. BullMQ's promote puts it at the back: behind a backlog, every
 * later message of its chat would be activated before it and park in turn, and
 * the chat would advance by one message per pass over the whole backlog.
 */
export async function wakeAtFront(job: Job): Promise<void> {
  try {
    await job.promote(); // refused unless the job is in the delayed set, in the same script that moves it
  } catch {
    return; // not asleep (waiting, active, or it left the delayed set in between): nothing to wake
  }
  // Front of its priority; a job activated in between is not in the wait list, and is left alone. BullMQ finds
  // it by scanning the wait list from the front (LREM -1): ~0.25 ms of Redis per 10,000 jobs waiting.
  await job.changePriority({ priority: job.priority, lifo: true }).catch(() => undefined);
}

export function createChatOrder(redis: RedisClient, queue: Queue, config: Pick<Config, 'QUEUE_PREFIX'>): ChatOrder {
  const pendingKey = (m: InternalMessage) => `${config.QUEUE_PREFIX}:crm:chat-pending:${chatTag(m)}`;
  let lastSeq = 0;
  /** Increasing within this process, and with the clock across processes (15 digits until the year 2286). */
  const nextSeq = () => {
    lastSeq = Math.max(lastSeq + 1, Date.now() * 100);
    return lastSeq;
  };
  const score = (m: InternalMessage) => Date.parse(m.timestamp);

  async function wake(jobId: string) {
    const job = await Job.fromId(queue, jobId);
    if (job) await wakeAtFront(job);
  }

  return {
    async enter(message, jobId, job, alongside) {
      const key = pendingKey(message);
      // The connection the queue adds on (BullMQ's proxy of it): everything below goes out there, in order.
      const client = await queue.backend.client;
      const raw = client as unknown as RedisClient;
      const chatSeq = nextSeq();
      const member = memberOf(message, jobId, chatSeq);
      const { name, data } = job(chatSeq);
      // Object.assign, not `{ ...defaults, jobId }`: a property after a spread is a slow path in Node 20's V8.
      const opts = Object.assign({}, queue.defaultJobOptions, { jobId });
      const add = () => new Job(queue, name, data, opts, jobId).addJob(client);
      const jobKey = queue.toKey(jobId);
      if (raw.isCluster) {
        if (alongside) throw new Error('chat order: writes alongside an entry need one Redis');
        // Another slot than the job's, maybe another master: each step waits for the one before.
        await raw.zadd(key, score(message), member);
        await raw.expire(key, KEY_TTL_SECONDS);
        await add();
        const kept = await PENDING_AS_ADDED.run(raw, [jobKey], [chatSeq]);
        // A redelivery collapsed into a job queued before (it has another seq), or into one already finished.
        if (Number(kept) !== 1) await raw.zrem(key, member);
        return chatSeq;
      }
      // One Redis runs a connection's commands in the order written: the member is in the set before the job
      // exists (no later message of the chat can overtake it meanwhile), and the settling sees the add.
      // Three commands, one write: the entry (with the caller's writes), the add, the settling.
      const { keys, args } = enterArgs(key, score(message), member, alongside);
      const settleArgs = [chatSeq, score(message), member, KEY_TTL_SECONDS];
      const settle = () => SETTLE.run(raw, [jobKey, key], settleArgs);
      let [, , kept] = await Promise.all([ENTER.run(raw, keys, args), add(), settle()]);
      // A NOSCRIPT re-sends BullMQ's add or the entry behind the settling: settled again once both have answered.
      if (Number(kept) !== 1) kept = await settle();
      return chatSeq;
    },

    async blockedBy(message, jobId, chatSeq) {
      const key = pendingKey(message);
      const me = memberOf(message, jobId, chatSeq);
      for (;;) {
        const rank = await redis.zrank(key, me);
        if (rank === null || rank === 0) return undefined;
        const [head] = await redis.zrange(key, 0, 0);
        if (!head) return undefined;
        const headId = jobIdOf(head);
        // Our own job under another seq: an attempt to queue it that died between its member and its add.
        // A job removed by hand, or finished by a process that died before it could leave, never leaves by itself.
        const job = headId === jobId ? undefined : await Job.fromId(queue, headId);
        if (job && !job.finishedOn) return { jobId: headId, member: head };
        await redis.zrem(key, head);
      }
    },

    async giveUp(message, head) {
      await redis.zrem(pendingKey(message), head.member);
    },

    async nextActivitySeq(message) {
      const key = `${config.QUEUE_PREFIX}:crm:chat-activity-seq:${chatTag(message)}`;
      const seq = await redis.incr(key);
      await redis.expire(key, KEY_TTL_SECONDS);
      return seq;
    },

    async leave(message, jobId, chatSeq) {
      const key = pendingKey(message);
      await redis.zrem(key, memberOf(message, jobId, chatSeq));
      const [head] = await redis.zrange(key, 0, 0);
      if (head) await wake(jobIdOf(head));
    },
  };
}
