import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { toApiError, type Api, type ApiError, type Me } from '../api.js';
import { ErrorBox, Spinner } from './components.js';
import { useWidget } from './context.js';

/** `GET /api/me`, once per widget instance: the api object keeps the answer (see `Api.me`). */
export function loadMe(api: Api): Promise<Me> {
  return api.me();
}

export interface MeState {
  me: Me | null;
  /** False until the answer says otherwise: admin-only controls stay hidden while it loads or when it failed. */
  isAdmin: boolean;
  loading: boolean;
  error: ApiError | null;
  retry: () => void;
}

/** Who the user is, for hiding what they may not do. The server enforces every rule on its own. */
export function useMe(): MeState {
  const { api } = useWidget();
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    loadMe(api).then(
      (m) => live && setMe(m),
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [api, tick]);
  return { me, isAdmin: me?.isAdmin === true, loading: !me && !error, error, retry: () => setTick((n) => n + 1) };
}

/** The short explanation shown where an admin would see a control. */
export function AdminOnlyNote(props: { testId?: string }) {
  const { t } = useWidget();
  return (
    <div class="kai-notice kai-small" data-testid={props.testId ?? 'kai-admin-only'}>
      {t('errors.FORBIDDEN')}
    </div>
  );
}

/**
 * Admin-only UI. `mode="hide"` (the default) draws nothing for anyone else; `mode="note"` draws the
 * explanation instead, and a spinner or the error while it is not known yet.
 */
export function AdminOnly(props: { mode?: 'hide' | 'note'; children: ComponentChildren }) {
  const who = useMe();
  if (who.isAdmin) return <>{props.children}</>;
  if (props.mode !== 'note') return null;
  if (who.error) return <ErrorBox error={who.error} onRetry={who.retry} compact />;
  if (who.loading) return <Spinner />;
  return <AdminOnlyNote />;
}
