import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { toApiError, type ApiError, type ApiFieldError } from '../api.js';
import type { Translate } from '../i18n.js';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  setData: (next: T) => void;
}

/** Load once per `deps` change; a late answer for old deps is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    load().then(
      (d) => {
        if (!live) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (!live) return;
        setError(toApiError(e));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Action {
  busy: boolean;
  error: ApiError | null;
  /** Run a mutation; resolves to its result, or undefined when it failed (the error is kept for display). */
  run: <R>(fn: () => Promise<R>) => Promise<R | undefined>;
  retry: () => void;
  clear: () => void;
}

/** State for one button's mutation: busy flag, last error, and a retry of the last attempt. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const last = useRef<(() => Promise<unknown>) | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async <R>(fn: () => Promise<R>): Promise<R | undefined> => {
    last.current = fn;
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      if (mounted.current) setError(toApiError(e));
      return undefined;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const retry = useCallback(() => {
    if (last.current) void run(last.current);
  }, [run]);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, retry, clear };
}

/**
 * A form's error for one field: a local check's (shown once the person tried to save, in their language)
 * before the server's (field errors of the last refused save, by the field's path).
 */
/** A refused field's message in the user's language when the server gave its code, else the server's text. */
export function fieldMessage(t: Translate, e: ApiFieldError): string {
  if (!e.code) return e.message;
  const key = `validation.server.${e.code}`;
  const text = t(key, e.vars);
  return text === key ? e.message : text;
}

export function fieldErrors(t: Translate, serverError: ApiError | null, local: Record<string, string> = {}) {
  const server: Record<string, string> = {};
  for (const e of serverError?.errors ?? []) server[e.field] = fieldMessage(t, e);
  /** The server's field errors some field showed beside itself in this render (FormError leaves them out). */
  const shown = new Set<string>();
  const lookup = (key: string): string | undefined => {
    if (local[key]) return t(`validation.${local[key]}`);
    if (server[key] !== undefined) shown.add(key);
    return server[key];
  };
  return Object.assign(lookup, { shown });
}
