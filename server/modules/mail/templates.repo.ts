import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { emailTemplates, type EmailTemplateRow } from '../../../db/schema/index.js';

export interface TemplateFields {
  name: string;
  subject: string;
  html: string | null;
  text: string | null;
}

/** Email templates, per account; names are unique within an account. */
export function createTemplatesRepo(db: Db) {
  const where = (accountId: number, id: number) => and(eq(emailTemplates.accountId, accountId), eq(emailTemplates.id, id));
  return {
    get: (accountId: number, id: number): EmailTemplateRow | undefined => db.select().from(emailTemplates).where(where(accountId, id)).get(),
    list: (accountId: number): EmailTemplateRow[] =>
      db.select().from(emailTemplates).where(eq(emailTemplates.accountId, accountId)).orderBy(asc(emailTemplates.name)).all(),
    insert: (accountId: number, t: TemplateFields, now: number): EmailTemplateRow =>
      db
        .insert(emailTemplates)
        .values({ accountId, ...t, createdAt: now, updatedAt: now })
        .returning()
        .get(),
    update: (accountId: number, id: number, t: TemplateFields, now: number): EmailTemplateRow | undefined =>
      db
        .update(emailTemplates)
        .set({ ...t, updatedAt: now })
        .where(where(accountId, id))
        .returning()
        .get(),
    remove: (accountId: number, id: number) => void db.delete(emailTemplates).where(where(accountId, id)).run(),
  };
}
