import type { ZodError } from 'zod';

/** The closed set of error codes the API answers with, and the HTTP status of each. */
export const errorStatus = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UPSTREAM_FAILED: 502,
  NOT_CONFIGURED: 503,
  UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldError {
  field: string;
  /** In English, for logs and API clients. */
  message: string;
  /** A stable code (with its values) the widget words in the user's language; the message stays as it is. */
  code?: string;
  vars?: Record<string, string | number>;
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { title?: string; errors?: FieldError[]; meta?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = errorStatus[code];
  }
}

const titles: Record<ErrorCode, string> = {
  BAD_REQUEST: 'Bad request',
  VALIDATION_FAILED: 'Validation failed',
  UNAUTHORIZED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal server error',
  UPSTREAM_FAILED: 'Upstream service failed',
  NOT_CONFIGURED: 'Not configured',
  UNAVAILABLE: 'Service unavailable',
};

export const titleFor = (code: ErrorCode) => titles[code];

export const badRequest = (msg: string, errors?: FieldError[]) => new AppError('BAD_REQUEST', msg, { errors });
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found`);
export const conflict = (msg: string) => new AppError('CONFLICT', msg);
export const unauthorized = (msg: string) => new AppError('UNAUTHORIZED', msg);
export const forbidden = (msg: string) => new AppError('FORBIDDEN', msg);
export const notConfigured = (feature: string, variables: string[]) =>
  new AppError('NOT_CONFIGURED', `${feature} is not configured: set ${variables.join(', ')}`, {
    meta: { feature, variables },
  });

/** Turn a zod error into field errors named by their dotted path. */
export function fieldErrors(error: ZodError, prefix = ''): FieldError[] {
  return error.issues.map((i) => ({
    field: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}

export function validationError(error: ZodError, where: string, code: 'BAD_REQUEST' | 'VALIDATION_FAILED' = 'BAD_REQUEST') {
  const errors = fieldErrors(error);
  return new AppError(code, `Invalid ${where}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`, { errors });
}
