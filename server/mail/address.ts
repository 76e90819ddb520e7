import { z } from 'zod';

/**
 * Values that end up in email headers. CR or LF in any of them would let a caller add headers
 * (header injection), so they are refused with a message naming the field, before anything is queued.
 */
const LINE_BREAK = /[\r\n]/;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const MESSAGE_ID = /^<[^<>\s]+@[^<>\s]+>$/;

const noBreaks = (s: string, ctx: z.RefinementCtx) => {
  if (LINE_BREAK.test(s)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must not contain line breaks (CR or LF): header injection is refused' });
    return false;
  }
  return true;
};

/** One line of header text (subject, display name). */
export const headerText = (max: number) =>
  z
    .string()
    .max(max)
    .superRefine((s, ctx) => {
      noBreaks(s, ctx);
    });

/** A bare address (no display name, no list): `name@example.com`. */
export const emailAddress = z
  .string()
  .max(254)
  .superRefine((s, ctx) => {
    if (noBreaks(s, ctx) && !EMAIL.test(s)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a valid email address (expected name@example.com, got ${JSON.stringify(s.slice(0, 80))})` });
    }
  })
  .transform((s) => s.toLowerCase());

export const messageId = z
  .string()
  .max(998)
  .superRefine((s, ctx) => {
    if (noBreaks(s, ctx) && !MESSAGE_ID.test(s)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is not a Message-ID (expected <id@host>)' });
    }
  });

export const isEmailAddress = (s: string) => EMAIL.test(s) && !LINE_BREAK.test(s);

/** "Name <a@b.c>" or "a@b.c" → parts. Used for MAIL_FROM. */
export function parseMailbox(value: string): { name: string | null; address: string } | null {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(value);
  const address = (m ? m[2]! : value.trim()).toLowerCase();
  if (!isEmailAddress(address)) return null;
  const name = m?.[1]?.trim() || null;
  return { name, address };
}

export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
