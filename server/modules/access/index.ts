import type { Module } from '../../module.js';
import { accessRoutes } from './access.routes.js';
import { type Access, type AccessDeps, createAccess } from './access.service.js';

export type { Access } from './access.service.js';
export interface AccessServices {
  access: Access;
}

/** Roles and rights: account admins configure; what a user sees of a lead follows their Kommo rights. */
export function accessModule(d: AccessDeps): Module<AccessServices> {
  const access = createAccess(d);
  return { name: 'access', services: { access }, routes: [accessRoutes(access)] };
}
