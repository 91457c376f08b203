import { QueueUnavailableError } from '../enqueue/queue-unavailable-error.js';

/** Any Redis failure while answering an API request is a 503 (the error handler's QueueUnavailableError), never a 500. */
export async function orUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw new QueueUnavailableError(err instanceof Error ? err.message : String(err));
  }
}
