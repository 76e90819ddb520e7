import type { RightLevel, UserLeadRights } from '../../../db/schema/index.js';
import type { WidgetAuth } from '../../http/env.js';
import { forbidden, notFound } from '../../lib/errors.js';
import type { Platform } from '../../platform.js';
import type { KommoServices } from '../kommo/index.js';
import type { MirrorReadRepo, UserAccess } from '../mirror/mirror-read.repo.js';
import type { MirrorRepo } from '../mirror/mirror.repo.js';

/** A synced user older than this is re-read from Kommo before it decides anything. */
export const USER_FRESH_MS = 10 * 60_000;

export type AccessDeps = Pick<Platform, 'clock' | 'tx' | 'logger'> & {
  crm: MirrorReadRepo;
  mirror: MirrorRepo;
  kommo: Pick<KommoServices, 'api'>;
};

export interface LeadRights {
  view: boolean;
  edit: boolean;
}

const NONE: LeadRights = { view: false, edit: false };
const ALL: LeadRights = { view: true, edit: true };

/**
 * Who may do what, from the verified token and the user's Kommo rights. Configuration needs an account
 * admin: the token's `is_admin` claim when it carries one, else the synced user, re-read from Kommo
 * when missing or older than ten minutes. What a user may see or change of a lead follows their Kommo
 * lead rights (A all, G their group, M their own, D none; a stage's rights override the general ones).
 * Anything that cannot be established is denied.
 */
export function createAccess(d: AccessDeps) {
  async function user(auth: WidgetAuth): Promise<UserAccess | null> {
    const known = d.crm.userAccess(auth.accountId, auth.userId);
    if (known && d.clock.now() - known.syncedAt <= USER_FRESH_MS) return known;
    try {
      const fresh = await d.kommo.api(auth.accountId).getUser(auth.userId);
      d.tx(() => d.mirror.upsertUsers(auth.accountId, [fresh], d.clock.now()));
      return d.crm.userAccess(auth.accountId, auth.userId) ?? null;
    } catch (err) {
      // Fail closed: a user we cannot read from Kommo now gets no rights, not stale ones.
      d.logger.warn({ accountId: auth.accountId, userId: auth.userId, err: (err as Error).message }, 'could not read the Kommo user to check rights');
      return null;
    }
  }

  async function isAdmin(auth: WidgetAuth): Promise<boolean> {
    if (auth.isAdmin !== null) return auth.isAdmin;
    const u = await user(auth);
    return Boolean(u?.isAdmin && u.isActive);
  }

  const allows = (lvl: RightLevel, u: UserAccess, userId: number, owner: { responsibleUserId: number | null; responsibleGroupId: number | null }) =>
    lvl === 'A' ||
    ((lvl === 'M' || lvl === 'G') && owner.responsibleUserId === userId) ||
    (lvl === 'G' && u.groupId !== null && owner.responsibleGroupId === u.groupId);

  function levels(rights: UserLeadRights, pipelineId: number | null, statusId: number | null) {
    const stage = rights.stages.find((s) => s.pipelineId === pipelineId && s.statusId === statusId);
    return { view: stage?.view ?? rights.view, edit: stage?.edit ?? rights.edit };
  }

  async function leadRights(auth: WidgetAuth, leadId: number): Promise<LeadRights> {
    if (await isAdmin(auth)) return ALL;
    const owner = d.crm.leadOwner(auth.accountId, leadId);
    if (!owner) return NONE;
    const u = await user(auth);
    if (!u?.isActive || !u.rights) return NONE;
    const lv = levels(u.rights, owner.pipelineId, owner.statusId);
    const edit = allows(lv.edit, u, auth.userId, owner);
    return { view: edit || allows(lv.view, u, auth.userId, owner), edit };
  }

  return {
    isAdmin,
    leadRights,
    async requireAdmin(auth: WidgetAuth): Promise<void> {
      if (!(await isAdmin(auth))) throw forbidden('Only account administrators can do this.');
    },
    /** A lead the user may not see is answered like a missing one: its existence is not confirmed either. */
    async requireLeadView(auth: WidgetAuth, leadId: number): Promise<void> {
      if (!(await leadRights(auth, leadId)).view) throw notFound(`Lead ${leadId}`);
    },
    /** Undo, approve a draft, pause: an admin, the lead's responsible user, or a user whose Kommo rights let them edit it. */
    async requireLeadEdit(auth: WidgetAuth, leadId: number): Promise<void> {
      const r = await leadRights(auth, leadId);
      if (!r.view) throw notFound(`Lead ${leadId}`);
      if (!r.edit) throw forbidden('Your Kommo rights do not let you change this lead.');
    },
  };
}

export type Access = ReturnType<typeof createAccess>;
