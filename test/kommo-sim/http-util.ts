/** Reply values, Kommo-like problem bodies and bracket-query helpers shared by the route modules. */

export interface Reply {
  status: number;
  /** JSON-serialised unless `raw` is set; omitted → empty body. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export interface Req {
  method: string;
  path: string;
  url: URL;
  query: URLSearchParams;
  params: string[];
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, headers });
export const noContent = (): Reply => ({ status: 204 });

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Reply {
  return json(status, { title, type: `https://httpstatus.es/${status}`, status, detail, ...extra });
}

export interface FieldError {
  code: string;
  path: string;
  detail: string;
}

export interface RequestErrors {
  request_id: string;
  errors: FieldError[];
}

/** Kommo's 400 for invalid payloads: `{"validation-errors":[{request_id, errors:[{code, path, detail}]}], ...}`. */
export function validationError(items: RequestErrors[]): Reply {
  return json(400, {
    'validation-errors': items,
    title: 'Bad Request',
    type: 'https://httpstatus.es/400',
    status: 400,
    detail: 'Request validation failed',
  });
}

export const NOT_CHOICE = 'The value you selected is not a valid choice.';

/** Collects errors per request item and turns them into one validation reply. */
export class ErrorBag {
  private items: RequestErrors[] = [];
  add(requestId: string, code: string, path: string, detail = NOT_CHOICE): void {
    let item = this.items.find((i) => i.request_id === requestId);
    if (!item) this.items.push((item = { request_id: requestId, errors: [] }));
    item.errors.push({ code, path, detail });
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  /** Total number of errors so far (to tell whether one item added any). */
  get size(): number {
    return this.items.reduce((n, i) => n + i.errors.length, 0);
  }
  reply(): Reply {
    return validationError(this.items);
  }
}

export function htmlPage(status: number, title: string): Reply {
  return {
    status,
    raw: `<!DOCTYPE html><html><head><title>${status} ${title}</title></head><body><center><h1>${status} ${title}</h1></center><hr><center>nginx</center></body></html>`,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  };
}

// ---- bracket query helpers ----------------------------------------------------------------------------

/** All values of `name`, `name[]`, `name[N]`, comma-separated values split. */
export function multi(q: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (const [k, v] of q) {
    if (k === name || k === `${name}[]` || (k.startsWith(`${name}[`) && /^\[\d+\]$/.test(k.slice(name.length)))) {
      for (const part of v.split(',')) if (part.trim() !== '') out.push(part.trim());
    }
  }
  return out;
}

export function multiNum(q: URLSearchParams, name: string): number[] {
  return multi(q, name)
    .map(Number)
    .filter((n) => Number.isFinite(n));
}

/** `name[from]` / `name[to]` (or a bare `name` meaning exactly that value). */
export function range(q: URLSearchParams, name: string): { from?: number; to?: number } | null {
  const from = q.get(`${name}[from]`);
  const to = q.get(`${name}[to]`);
  const exact = q.get(name);
  if (from === null && to === null && exact === null) return null;
  const r: { from?: number; to?: number } = {};
  if (from !== null && from !== '' && Number.isFinite(Number(from))) r.from = Number(from);
  if (to !== null && to !== '' && Number.isFinite(Number(to))) r.to = Number(to);
  if (exact !== null && exact !== '' && Number.isFinite(Number(exact))) r.from = r.to = Number(exact);
  return r;
}

export function inRange(v: number | null, r: { from?: number; to?: number } | null): boolean {
  if (!r) return true;
  if (v === null) return false;
  if (r.from !== undefined && v < r.from) return false;
  if (r.to !== undefined && v > r.to) return false;
  return true;
}

export function withSet(q: URLSearchParams): Set<string> {
  return new Set(multi(q, 'with'));
}

export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const int = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
};
