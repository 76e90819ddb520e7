import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError, validationError } from './errors.js';

/** Validate a JSON body; a body that is not JSON is a 400, a body of the wrong shape a 422 naming the fields. */
export async function parseJson<S extends z.ZodTypeAny>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    const text = await c.req.text();
    body = text.length ? JSON.parse(text) : {};
  } catch {
    throw new AppError('BAD_REQUEST', 'The request body is not valid JSON');
  }
  const r = schema.safeParse(body);
  if (!r.success) throw validationError(r.error, 'request body', 'VALIDATION_FAILED');
  return r.data;
}

export function parseQuery<S extends z.ZodTypeAny>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw validationError(r.error, 'query parameters');
  return r.data;
}

export function parseParams<S extends z.ZodTypeAny>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.param());
  if (!r.success) throw validationError(r.error, 'path parameters');
  return r.data;
}
