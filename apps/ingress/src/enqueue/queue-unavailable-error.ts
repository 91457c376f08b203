/** Redis did not confirm the job: nothing was acknowledged, the sender should retry. */
export class QueueUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'QueueUnavailableError';
  }
}
