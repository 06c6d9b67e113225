/** A mistake in how a script was called (a flag, a value, a busy port): printed as it is, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
