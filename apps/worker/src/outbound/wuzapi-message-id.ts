import { createHash } from 'node:crypto';

/**
 * The `Id` we give WUZAPI for a job: the same on every attempt of that job,
 * so WhatsApp keeps one message however often the send is retried. The job's
 * creation time is mixed in because BullMQ's numeric ids start again at 1 on
 * a fresh Redis, and a reused id would make WhatsApp drop a new message.
 * Shaped like the ids WhatsApp clients generate (`3EB0` + 18 hex digits).
 */
export function wuzapiMessageId(jobId: string, jobCreatedAt: number): string {
  const digest = createHash('sha256').update(`zaprelay-outbound|${jobId}|${jobCreatedAt}`).digest('hex');
  return `3EB0${digest.slice(0, 18).toUpperCase()}`;
}
