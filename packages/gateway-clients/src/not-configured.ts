/** Thrown by a client factory when the variables it needs are unset: a start-up error, never a job failure. */
export class GatewayNotConfiguredError extends Error {
  constructor(variables: string[]) {
    super(`${variables.join(' and ')} must be set to talk to the gateway`);
    this.name = 'GatewayNotConfiguredError';
  }
}
