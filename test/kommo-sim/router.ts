/**
 * A tiny method + regex router. `:name` matches one path segment, `#name` one all-digits segment (so
 * `/leads/notes` does not hit `/leads/#id`); captures go in order into `req.params`.
 */
import type { Reply, Req } from './http-util.js';

export type Handler = (req: Req) => Reply | Promise<Reply>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

export class Router {
  private routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    const re = new RegExp(`^${pattern.replace(/:\w+/g, '([^/]+)').replace(/#\w+/g, '(\\d+)')}/?$`);
    this.routes.push({ method, re, handler });
    return this;
  }

  /** The handler and captured params, or `'method'` if the path exists with another method, or null. */
  match(method: string, path: string): { handler: Handler; params: string[] } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: m.slice(1).map(decodeURIComponent) };
    }
    return pathMatched ? 'method' : null;
  }
}
