import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/env.js';
import { AppError } from '../../lib/errors.js';
import { isLang, pickLang } from '../../lib/i18n.js';
import { parseQuery } from '../../lib/validate.js';
import type { OAuthService } from './oauth.service.js';
import { resultPage } from './oauth.pages.js';
import { callbackQuery, uninstallQuery } from './oauth.schemas.js';
import type { Uninstall } from './uninstall.service.js';

const STATE_COOKIE = 'kai_oauth_state';

export function oauthRoutes(oauth: OAuthService, uninstall: Uninstall) {
  const app = new Hono<AppEnv>();

  app.get('/oauth/start', (c) => {
    const { state, url } = oauth.beginButtonFlow();
    setCookie(c, STATE_COOKIE, state, { httpOnly: true, sameSite: 'Lax', secure: c.req.url.startsWith('https:'), path: '/oauth', maxAge: 600 });
    return c.redirect(url, 302);
  });

  /** Kommo's redirect after consent. A person may be looking: answer with a page, not JSON. */
  app.get('/oauth/callback', async (c) => {
    const q = parseQuery(c, callbackQuery);
    const lang = pickLang(c.req.header('accept-language'));
    try {
      const account = await oauth.install(q, getCookie(c, STATE_COOKIE));
      // A reinstall of an account whose admin chose its language answers in that language; else the browser's.
      const override = account.settings.languageOverride;
      return c.html(resultPage(isLang(override) ? override : lang, { ok: true, accountName: account.name }), 200);
    } catch (err) {
      if (!(err instanceof AppError) || (err.status >= 500 && err.code !== 'UPSTREAM_FAILED' && err.code !== 'NOT_CONFIGURED')) throw err;
      return c.html(
        resultPage(lang, { ok: false, reason: err.message, detail: err.extra.errors?.map((e) => `${e.field}: ${e.message}`).join('; ') }),
        err.status as 400,
      );
    }
  });

  app.get('/oauth/uninstall', async (c) => {
    const q = parseQuery(c, uninstallQuery);
    const r = await uninstall.hook(q);
    return c.json(r.body, r.status);
  });

  return app;
}
