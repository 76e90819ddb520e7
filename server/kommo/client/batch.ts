import { KommoResponseError, KommoUnavailableError } from './errors.js';
import type { BatchOptions } from './types.js';

export const DEFAULT_BATCH_SIZE = 50; // Kommo's advice for writes
export const MAX_BATCH_SIZE = 250; // Kommo's hard cap per request

export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function batchSizeOf(opts: BatchOptions | undefined): number {
  const size = opts?.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
    throw new RangeError(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}, got ${size}`);
  }
  return size;
}

/**
 * Sends `items` in chunks, one request at a time, and returns the results in input order. A 504 on a
 * chunk means Kommo ran out of time on it (Kommo's advice: shrink the batch), so that chunk is split
 * in half and resent rather than retried at the same size; `sendChunk` gets `shrinkable` to know
 * whether to give up on a 504 at once.
 */
export async function writeInBatches<T, R>(
  items: readonly T[],
  opts: BatchOptions | undefined,
  sendChunk: (chunk: T[], shrinkable: boolean) => Promise<R[]>,
): Promise<R[]> {
  const size = batchSizeOf(opts);
  const out: R[] = [];
  const write = async (part: T[]): Promise<void> => {
    try {
      out.push(...(await sendChunk(part, part.length > 1)));
    } catch (err) {
      if (!(err instanceof KommoUnavailableError && err.status === 504 && part.length > 1)) throw err;
      const mid = Math.ceil(part.length / 2);
      await write(part.slice(0, mid));
      await write(part.slice(mid));
    }
  };
  for (const part of chunk(items, size)) await write(part);
  return out;
}

/**
 * Rows of a batch answer in the order they were sent. Kommo echoes each row's position as
 * `request_id` ("0", "1", …) when we send none; if those form exactly 0..n-1 they decide the order,
 * otherwise the answer's order is kept. A count mismatch would misalign ids with inputs, so it throws.
 */
export function inSentOrder<R extends { request_id?: string | number }>(rows: R[], sent: number, label: string): R[] {
  if (rows.length !== sent) {
    throw new KommoResponseError(`${label}: sent ${sent} entities, Kommo answered for ${rows.length}`);
  }
  const positions = rows.map((r) => (r.request_id === undefined ? Number.NaN : Number(r.request_id)));
  const isPermutation = positions.every((p) => Number.isInteger(p) && p >= 0 && p < sent) && new Set(positions).size === sent;
  if (!isPermutation) return rows;
  const ordered = new Array<R>(sent);
  rows.forEach((r, i) => {
    ordered[positions[i] as number] = r;
  });
  return ordered;
}
