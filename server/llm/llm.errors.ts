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

/** Why the model API refuses us for good: retrying cannot help until someone changes the account or the key. */
export type LlmPermanentReason = 'insufficient_quota' | 'invalid_api_key';

/**
 * The model API answered in a way no retry fixes: the OpenAI account has no credit left (a 429 with
 * `insufficient_quota`), or the key is wrong or revoked (401). The turn fails at once and the admins are told.
 */
export class LlmPermanentError extends LlmError {
  constructor(
    readonly reason: LlmPermanentReason,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${PERMANENT_TEXT[reason]} (${detail})`.slice(0, 500), options);
    this.name = 'LlmPermanentError';
  }
}

/** What each permanent reason means, in words an account admin understands. */
export const PERMANENT_TEXT: Record<LlmPermanentReason, string> = {
  insufficient_quota: 'The AI service refused the request: its account has no credit left',
  invalid_api_key: 'The AI service refused the request: the API key is invalid or revoked',
};
