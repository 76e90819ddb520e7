import { fill, type Lang } from '../../lib/i18n.js';
import { escapeHtml as esc } from '../../lib/template.js';
import { OAUTH_TEXTS } from './oauth.texts.js';

/**
 * The page a person sees after Kommo's install redirect: plain, readable, light or dark, in their language.
 * A failure shows the server's reason as a detail (for the administrator), under a translated explanation.
 */
export function resultPage(lang: Lang, opts: { ok: true; accountName: string } | { ok: false; reason: string; detail?: string }) {
  const t = OAUTH_TEXTS[lang];
  const title = opts.ok ? fill(t.connectedTo, { name: opts.accountName }) : t.failedTitle;
  const reason = opts.ok ? '' : [opts.reason, opts.detail].filter(Boolean).join(' — ');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
  :root { color-scheme: light dark; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; }
  .badge { display: inline-block; padding: .2rem .6rem; border-radius: 1rem; font-weight: 600;
           background: ${opts.ok ? '#d1f5dc' : '#fde2e1'}; color: ${opts.ok ? '#0b6b2b' : '#8a1c14'}; }
  code { font-size: .9em; }
</style></head>
<body>
  <p class="badge">${esc(opts.ok ? t.installed : t.notInstalled)}</p>
  <h1>${esc(title)}</h1>
  <p>${esc(opts.ok ? t.installedMessage : t.failedMessage)}</p>
  ${reason ? `<p>${esc(t.reason)}: <code>${esc(reason)}</code></p>` : ''}
  <p>${esc(opts.ok ? t.closeOk : t.close)}</p>
</body></html>`;
}
