/**
 * Everything the Kommo client throws. Callers branch on the class (retry later, reconnect, give up);
 * messages name the method, path and status but never a token or a body.
 */
export class KommoError extends Error {
  readonly status?: number;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KommoError';
    this.status = options.status;
  }
}

/** 401 again after one refresh, or the refresh itself failed. `reauthRequired`: only a reinstall helps. */
export class KommoAuthError extends KommoError {
  readonly reauthRequired: boolean;
  constructor(message: string, options: { status?: number; cause?: unknown; reauthRequired?: boolean } = {}) {
    super(message, options);
    this.name = 'KommoAuthError';
    this.reauthRequired = options.reauthRequired ?? true;
  }
}

/** Kommo kept answering 429 (or asked for a pause too long to wait inside one call). */
export class KommoRateLimitedError extends KommoError {
  constructor(
    readonly retryAfterMs: number,
    message = `Kommo rate limit: retry after ${retryAfterMs} ms`,
  ) {
    super(message, { status: 429 });
    this.name = 'KommoRateLimitedError';
  }
}

/** The account's circuit is open after a 403 HTML block page; no request goes out before `until` (ms). */
export class KommoBlockedError extends KommoError {
  constructor(
    readonly until: number,
    message = `Kommo blocked this integration; circuit open until ${new Date(until).toISOString()}`,
  ) {
    super(message, { status: 403 });
    this.name = 'KommoBlockedError';
  }
}

/** A 403 with a JSON body: the user or integration lacks a right (not a block). */
export class KommoForbiddenError extends KommoError {
  constructor(message: string) {
    super(message, { status: 403 });
    this.name = 'KommoForbiddenError';
  }
}

/** 402: the account's subscription has lapsed. */
export class KommoPaymentRequiredError extends KommoError {
  constructor(message = 'Kommo account subscription has lapsed (402)') {
    super(message, { status: 402 });
    this.name = 'KommoPaymentRequiredError';
  }
}

/** 400: Kommo refused the payload. `body` is Kommo's answer as parsed (keeps `validation-errors`). */
export class KommoValidationError extends KommoError {
  readonly validationErrors: unknown[];
  constructor(
    message: string,
    readonly body: unknown,
  ) {
    super(message, { status: 400 });
    this.name = 'KommoValidationError';
    const errors = isRecord(body) ? body['validation-errors'] : undefined;
    this.validationErrors = Array.isArray(errors) ? errors : [];
  }
}

export class KommoNotFoundError extends KommoError {
  constructor(message: string) {
    super(message, { status: 404 });
    this.name = 'KommoNotFoundError';
  }
}

/** 5xx, network errors or timeouts that outlasted the retries. `status` is unset for network/timeout. */
export class KommoUnavailableError extends KommoError {
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KommoUnavailableError';
  }
}

/** A 2xx whose body did not match the schema (or was not JSON). The message names the failing path. */
export class KommoResponseError extends KommoError {
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'KommoResponseError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
