import type { Query } from './types.js';

/**
 * Kommo's PHP backend reads PHP-style query strings: arrays as `key[0]=a&key[1]=b` (what the official
 * SDK's http_build_query sends), booleans as 1/0. Undefined and null are left out.
 */
export function buildQuery(query: Query): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const [i, v] of (value as ReadonlyArray<string | number>).entries()) params.append(`${key}[${i}]`, String(v));
    } else if (typeof value === 'boolean') {
      params.append(key, value ? '1' : '0');
    } else {
      params.append(key, String(value));
    }
  }
  return params;
}

/** `with=a,b` or nothing. */
export function withParam(parts: string[] | undefined): string | undefined {
  return parts && parts.length > 0 ? parts.join(',') : undefined;
}
