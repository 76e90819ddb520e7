import { accountLanguage, isLang, type Lang } from '../../lib/i18n.js';
import type { Clock } from '../../lib/clock.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';

export interface LanguageState {
  /** What the server writes in: the override, else Kommo's, else English. */
  language: Lang;
  /** The admin's choice, null when the account follows Kommo. */
  override: Lang | null;
  /** The language Kommo gives the account (from the last sync), null when unknown. */
  kommo: string | null;
}

/**
 * The account's language for the notes, briefs and emails the server writes. Kommo gives one (stored by
 * the sync as `language`); an admin can override it (`languageOverride`), e.g. when the team works in
 * Spanish in an English-language Kommo account.
 */
export function createLanguageService(deps: { accounts: Pick<AccountsRepo, 'settings' | 'mergeSettings'>; clock: Clock }) {
  const state = (accountId: number): LanguageState => {
    const s = deps.accounts.settings(accountId);
    return {
      language: accountLanguage(s),
      override: isLang(s.languageOverride) ? s.languageOverride : null,
      kommo: typeof s.language === 'string' ? s.language : null,
    };
  };
  return {
    state,
    /** Set (a language) or clear (null: follow Kommo) the override. */
    setOverride(accountId: number, override: Lang | null): LanguageState {
      deps.accounts.mergeSettings(accountId, { languageOverride: override }, deps.clock.now());
      return state(accountId);
    },
  };
}

export type LanguageService = ReturnType<typeof createLanguageService>;
