import type { AdminCheck } from '../../http/guards.js';
import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import type { AccountsRepo } from '../accounts/accounts.repo.js';
import type { Audit } from '../activity/audit.js';
import { languageRoutes } from './language.routes.js';
import { createLanguageService, type LanguageService } from './language.service.js';

export type { LanguageService, LanguageState } from './language.service.js';
export type LanguageDeps = Pick<Platform, 'clock'> & { accounts: AccountsRepo; access: AdminCheck; audit: Audit };
export interface LanguageServices {
  language: LanguageService;
}

/** The account's language (Kommo's, or the admin's override) for everything the server writes. */
export function languageModule(d: LanguageDeps): Module<LanguageServices> {
  const language = createLanguageService(d);
  return { name: 'language', services: { language }, routes: [languageRoutes(language, d.access, d.audit)] };
}
