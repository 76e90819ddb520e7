import { escapeHtml as esc } from '../../lib/template.js';
import type { Status } from './status.service.js';

const BADGE: Record<string, { text: string; bg: string; fg: string }> = {
  ready: { text: 'ready', bg: '#d1f5dc', fg: '#0b6b2b' },
  missing: { text: 'not set', bg: '#fde2e1', fg: '#8a1c14' },
  default: { text: 'default', bg: '#fff2cc', fg: '#7a5a00' },
};

const duration = (s: number) =>
  s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)} min`
      : s < 86400
        ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
        : `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;

/** GET / for a person: the same data as the JSON form, readable in light and dark themes. */
export function statusPage(s: Status): string {
  const rows = s.integrations
    .map((i) => {
      const b = BADGE[i.state]!;
      return `<tr><td>${esc(i.name)}</td><td><span class="badge" style="background:${b.bg};color:${b.fg}">${b.text}</span></td><td>${esc(i.detail)}<br><code>${i.variables.map(esc).join(' ')}</code></td></tr>`;
    })
    .join('\n');
  const next = s.next.length
    ? `<ol>${s.next.map((n) => `<li>${esc(n.todo)}: <code>${n.variables.map(esc).join('</code>, <code>')}</code></li>`).join('')}</ol>`
    : '<p>Everything is configured.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>AI sales agent for Kommo: status</title>
<style>
  :root { color-scheme: light dark; }
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2.5rem auto; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin-bottom: .25rem; }
  .meta { color: GrayText; margin-top: 0; }
  .cards { display: flex; gap: 1rem; margin: 1.25rem 0; }
  .card { flex: 1; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: .5rem; padding: .75rem 1rem; }
  .card b { display: block; font-size: 1.4rem; }
  table { border-collapse: collapse; width: 100%; }
  td { border-top: 1px solid color-mix(in srgb, CanvasText 15%, transparent); padding: .5rem .5rem .5rem 0; vertical-align: top; }
  .badge { display: inline-block; padding: .1rem .55rem; border-radius: 1rem; font-weight: 600; font-size: .85em; white-space: nowrap; }
  code { font-size: .85em; }
</style></head>
<body>
  <h1>AI sales agent for Kommo</h1>
  <p class="meta">${esc(s.name)} ${esc(s.version)} · up ${duration(s.uptimeSeconds)} · <a href="/readyz">/readyz</a> · <a href="/healthz">/healthz</a></p>
  <div class="cards">
    <div class="card"><b data-testid="accounts">${s.accounts.connected}</b>connected Kommo accounts</div>
    <div class="card"><b data-testid="lag">${s.queue.lagSeconds} s</b>queue lag (oldest waiting job)</div>
  </div>
  <h2>Integrations</h2>
  <table>${rows}</table>
  <h2>What to configure next</h2>
  ${next}
  <p class="meta">Settings are environment variables (see the README, "Settings"). This page shows whether each is set, never its value.</p>
</body></html>`;
}
