/** Thrown by a handler when an outside service said "come back later" (a 429): no attempt is spent. */
export class RetryAfterError extends Error {
  constructor(
    readonly retryAfterMs: number,
    message = `retry after ${retryAfterMs} ms`,
  ) {
    super(message);
    this.name = 'RetryAfterError';
  }
}

/** Thrown when retrying cannot help (bad payload, revoked access): the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}
