import { escapeHtml as esc } from '../../lib/template.js';

/** The page a person sees after Kommo's install redirect: plain, readable, light or dark. */
export function resultPage(opts: { ok: boolean; title: string; message: string; detail?: string }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)}</title>
<style>
  :root { color-scheme: light dark; }
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; }
  .badge { display: inline-block; padding: .2rem .6rem; border-radius: 1rem; font-weight: 600;
           background: ${opts.ok ? '#d1f5dc' : '#fde2e1'}; color: ${opts.ok ? '#0b6b2b' : '#8a1c14'}; }
  code { font-size: .9em; }
</style></head>
<body>
  <p class="badge">${opts.ok ? 'Installed' : 'Not installed'}</p>
  <h1>${esc(opts.title)}</h1>
  <p>${esc(opts.message)}</p>
  ${opts.detail ? `<p><code>${esc(opts.detail)}</code></p>` : ''}
  <p>You can close this window${opts.ok ? ' and return to Kommo' : ''}.</p>
</body></html>`;
}
