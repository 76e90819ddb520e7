/** What a model call can fail with. The turn job maps these onto the queue (retry, retry-after, hand off). */
export class LlmError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LlmError';
  }
}

export class LlmNotConfiguredError extends LlmError {
  constructor() {
    super('The language model is not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint)');
    this.name = 'LlmNotConfiguredError';
  }
}

/** 429 from the model API: come back after `retryAfterMs`. */
export class LlmRateLimitedError extends LlmError {
  constructor(
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`The language model API is rate limiting us; retry after ${retryAfterMs} ms`, options);
    this.name = 'LlmRateLimitedError';
  }
}

export class LlmTimeoutError extends LlmError {
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`The language model did not answer within ${timeoutMs} ms`, options);
    this.name = 'LlmTimeoutError';
  }
}
