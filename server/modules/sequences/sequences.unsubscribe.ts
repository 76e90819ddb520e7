import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { type Lang, pickLang } from '../../lib/i18n.js';
import { escapeHtml } from '../../lib/template.js';

/**
 * The unsubscribe link in every sequence email: a signed token naming the account, the lead and the
 * address, so the public endpoint needs no login and a guessed URL does nothing.
 */
export function unsubscribeTokens(key: Buffer) {
  const mac = (payload: string) => createHmac('sha256', key).update(`unsubscribe:${payload}`).digest().subarray(0, 16).toString('base64url');
  return {
    sign(accountId: number, leadId: number, email: string): string {
      const payload = `${accountId}.${leadId}.${Buffer.from(email.toLowerCase()).toString('base64url')}`;
      return `${payload}.${mac(payload)}`;
    },
    verify(token: string): { accountId: number; leadId: number; email: string } | null {
      if (token.length > 600) return null;
      const m = /^(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
      if (!m) return null;
      const payload = `${m[1]}.${m[2]}.${m[3]}`;
      const want = Buffer.from(mac(payload));
      const got = Buffer.from(m[4]!);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
      return { accountId: Number(m[1]), leadId: Number(m[2]), email: Buffer.from(m[3]!, 'base64url').toString('utf8') };
    },
  };
}
export type UnsubscribeTokens = ReturnType<typeof unsubscribeTokens>;

export const UNSUBSCRIBE_TEXTS: Record<Lang, { title: string; ask: string; button: string; done: string; invalid: string; footer: string }> = {
  en: {
    title: 'Unsubscribe',
    ask: 'Stop follow-up emails to {email}?',
    button: 'Unsubscribe',
    done: '{email} will receive no more follow-up emails from us.',
    invalid: 'This unsubscribe link is not valid.',
    footer: 'To stop these follow-up emails, unsubscribe here: {url}',
  },
  es: {
    title: 'Cancelar suscripción',
    ask: '¿Dejar de enviar correos de seguimiento a {email}?',
    button: 'Cancelar suscripción',
    done: '{email} ya no recibirá más correos de seguimiento de nuestra parte.',
    invalid: 'Este enlace para cancelar la suscripción no es válido.',
    footer: 'Para dejar de recibir estos correos de seguimiento, cancele la suscripción aquí: {url}',
  },
  pt: {
    title: 'Cancelar inscrição',
    ask: 'Parar de enviar e-mails de acompanhamento para {email}?',
    button: 'Cancelar inscrição',
    done: '{email} não receberá mais e-mails de acompanhamento nossos.',
    invalid: 'Este link de cancelamento não é válido.',
    footer: 'Para parar de receber estes e-mails de acompanhamento, cancele a inscrição aqui: {url}',
  },
  ru: {
    title: 'Отписаться',
    ask: 'Больше не присылать письма-напоминания на {email}?',
    button: 'Отписаться',
    done: 'На адрес {email} больше не будут приходить наши письма-напоминания.',
    invalid: 'Ссылка для отписки недействительна.',
    footer: 'Чтобы больше не получать эти письма, отпишитесь по ссылке: {url}',
  },
};

/** The footer appended to a sequence email, in the account's language. */
export function unsubscribeFooter(lang: string, url: string): { text: string; html: string } {
  const t = UNSUBSCRIBE_TEXTS[(lang in UNSUBSCRIBE_TEXTS ? lang : 'en') as Lang];
  const text = t.footer.replace('{url}', url);
  return {
    text: `\n\n--\n${text}`,
    html: `<hr><p style="font-size:12px;color:#666">${escapeHtml(t.footer).replace('{url}', `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`)}</p>`,
  };
}

const page = (lang: Lang, body: string) =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${UNSUBSCRIBE_TEXTS[lang].title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.5rem 1rem}</style></head><body>${body}</body></html>`;

/**
 * GET shows a confirmation (mail scanners follow links; they must not unsubscribe anyone); POST
 * unsubscribes, also as RFC 8058 one-click. Public: the signed token is the only credential.
 */
export function unsubscribeRoutes(tokens: UnsubscribeTokens, unsubscribe: (accountId: number, leadId: number, email: string) => void) {
  const app = new Hono<AppEnv>();
  app.get('/unsubscribe/:token', (c) => {
    const lang = pickLang(c.req.header('accept-language'));
    const t = UNSUBSCRIBE_TEXTS[lang];
    const v = tokens.verify(c.req.param('token'));
    if (!v) return c.html(page(lang, `<p>${t.invalid}</p>`), 404);
    return c.html(
      page(
        lang,
        `<h1>${t.title}</h1><p>${escapeHtml(t.ask.replace('{email}', v.email))}</p><form method="post"><button type="submit">${t.button}</button></form>`,
      ),
      200,
    );
  });
  app.post('/unsubscribe/:token', (c) => {
    const lang = pickLang(c.req.header('accept-language'));
    const t = UNSUBSCRIBE_TEXTS[lang];
    const v = tokens.verify(c.req.param('token'));
    if (!v) return c.html(page(lang, `<p>${t.invalid}</p>`), 404);
    unsubscribe(v.accountId, v.leadId, v.email);
    return c.html(page(lang, `<h1>${t.title}</h1><p>${escapeHtml(t.done.replace('{email}', v.email))}</p>`), 200);
  });
  return app;
}
