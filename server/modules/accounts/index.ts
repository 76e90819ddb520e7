import type { Module } from '../../module.js';
import type { Platform } from '../../platform.js';
import { createAccountsRepo, type AccountsRepo } from './accounts.repo.js';

export type AccountsDeps = Pick<Platform, 'db'>;
export interface AccountsServices {
  accounts: AccountsRepo;
}

/** Installed Kommo accounts: their status, tokens (encrypted) and webhook secret. */
export function accountsModule(d: AccountsDeps): Module<AccountsServices> {
  return { name: 'accounts', services: { accounts: createAccountsRepo(d.db) } };
}
