/**
 * A page server that plays the Kommo host for the real built script.js: RequireJS + jQuery served
 * locally, a global APP, a system Widget object with render_template / $authorizedAjax / i18n, and the
 * places Kommo draws widgets (lead card right panel, advanced settings work area, settings modal, DP modal).
 *
 * `$authorizedAjax` gets a one-time X-Auth-Token from this server, signed HS256 with the client secret
 * and carrying Kommo's claims, so the real backend verifies it exactly as in production.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_OUT_DIR } from './build.js';

export interface WidgetHarnessOptions {
  /** Where the built script.js calls; used for the token audience (scheme + host, like Kommo's `aud`). */
  backendUrl: string;
  clientId: string;
  clientSecret: string;
  accountId: number;
  userId: number;
  subdomain: string;
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** The built widget folder (dist/widget by default). It must be built for `backendUrl`. */
  widgetDir?: string;
  widgetCode?: string;
  isAdmin?: boolean;
  /** Overrides the audience claim; default is the origin of `backendUrl`. */
  audience?: string;
  /** Widget settings returned by get_settings(). */
  settings?: Record<string, unknown>;
}

export interface WidgetHarness {
  url: string;
  close(): Promise<void>;
  /** Mint a token as the page would get it (tests use it to call the backend directly). */
  mintToken(): string;
}

const b64url = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Kommo's disposable token: HS256 with the integration's secret, valid 30 minutes, a fresh jti each call. */
export function signKommoToken(
  opts: Pick<WidgetHarnessOptions, 'clientId' | 'clientSecret' | 'accountId' | 'userId' | 'subdomain' | 'isAdmin'> & { audience: string },
  nowSec = Math.floor(Date.now() / 1000),
): string {
  const claims = {
    iss: `https://${opts.subdomain}.kommo.com`,
    aud: opts.audience,
    jti: randomUUID(),
    iat: nowSec,
    nbf: nowSec,
    exp: nowSec + 30 * 60,
    account_id: opts.accountId,
    user_id: opts.userId,
    subdomain: opts.subdomain,
    client_uuid: opts.clientId,
    is_admin: opts.isAdmin ?? true,
  };
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', opts.clientSecret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(sig)}`;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

function sendFile(res: ServerResponse, file: string) {
  if (!existsSync(file) || !statSync(file).isFile()) return notFound(res);
  const ext = file.slice(file.lastIndexOf('.'));
  res.writeHead(200, { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(readFileSync(file));
}

function notFound(res: ServerResponse) {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

/** A path under `root`, or null if the request tries to leave it. */
function safeJoin(root: string, rel: string): string | null {
  const full = normalize(join(root, decodeURIComponent(rel)));
  return full === root || full.startsWith(root + sep) ? full : null;
}

const escapeJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

type Area = 'lcard' | 'advanced_settings' | 'settings' | 'digital_pipeline' | 'salesbot';

export async function startWidgetHarness(opts: WidgetHarnessOptions): Promise<WidgetHarness> {
  const require = createRequire(import.meta.url);
  const requireJs = require.resolve('requirejs/require.js');
  // CommonJS resolution of jquery is dist/jquery.js, the browser build with its AMD registration.
  const jquery = require.resolve('jquery');
  const hostJs = join(dirname(fileURLToPath(import.meta.url)), 'harness-host.js');
  const widgetDir = resolve(opts.widgetDir ?? DEFAULT_OUT_DIR);
  if (!existsSync(join(widgetDir, 'script.js'))) {
    throw new Error(`No built widget in ${widgetDir}: run npm run widget:build (with PUBLIC_URL=${opts.backendUrl}) first`);
  }
  const manifest = JSON.parse(readFileSync(join(widgetDir, 'manifest.json'), 'utf8')) as { widget: { version: string } };
  const widgetCode = opts.widgetCode ?? 'kai_agent';
  const audience = opts.audience ?? new URL(opts.backendUrl).origin;
  const buildStamp = statSync(join(widgetDir, 'script.js')).mtimeMs.toFixed(0);
  const mintToken = () => signKommoToken({ ...opts, audience });

  const page = (_req: IncomingMessage, url: URL, area: Area): string => {
    const lead = Number(url.searchParams.get('lead') ?? '0') || null;
    const lang = url.searchParams.get('lang') ?? 'en';
    const dark = url.searchParams.get('theme') === 'dark';
    const pipelineId = Number(url.searchParams.get('pipeline') ?? '0') || null;
    const statusId = Number(url.searchParams.get('status') ?? '0') || null;
    const cfg = {
      area,
      lead,
      lang,
      pipelineId,
      statusId,
      widgetCode,
      version: manifest.widget.version,
      buildStamp,
      userId: opts.userId,
      accountId: opts.accountId,
      subdomain: opts.subdomain,
      clientId: opts.clientId,
      settings: opts.settings ?? {},
    };
    let body: string;
    if (area === 'lcard') {
      body = `<div class="card"><main class="card-main"><h1>${lead ? `Lead #${lead}` : 'New lead'}</h1>
        <p class="muted">Lead card (emulated). The widget draws in the right panel.</p></main>
        <aside class="card-widgets" id="card-widgets"></aside></div>`;
    } else if (area === 'advanced_settings') {
      body = `<div class="work-area" id="work-area-${widgetCode}"></div>`;
    } else if (area === 'settings') {
      body = `<div class="modal"><div class="modal-body" id="modal-body"><h2>Widget settings</h2>
        <div class="widget_settings_block"><div class="widget_settings_block__fields"></div></div>
        <div class="modal-foot"><button id="harness-save" type="button">Save</button></div></div></div>`;
    } else if (area === 'digital_pipeline') {
      body = `<div class="modal"><div class="dp-modal"><div class="dp-modal__head">
        <div class="digital-pipeline__short-task_widget-style_${widgetCode}">Widget action</div></div>
        <form data-action="send_widget" class="dp-modal__form">
          <input type="hidden" name="pipeline_id" value="${pipelineId ?? ''}"><input type="hidden" name="status_id" value="${statusId ?? ''}">
          <label>Agent for this stage <input type="text" name="agent_id" value=""></label>
          <label>Follow-up sequence <input type="text" name="sequence_id" value=""></label>
          <label>Trigger key <input type="text" name="kai_dp_token" value=""></label>
          <button type="button">Done</button></form></div></div>`;
    } else {
      body = `<h2>Salesbot designer: steps returned by onSalesbotDesignerSave</h2><pre id="salesbot-out"></pre>`;
    }
    return `<!doctype html><html lang="${lang}"${dark ? ' class="dark-theme"' : ''}><head><meta charset="utf-8">
<title>Kommo widget harness: ${area}</title>
<style>
  :root { --palette-text-primary:#1f2733; --palette-background-primary:#ffffff; --palette-background-secondary:#f3f5f8; --palette-border-default:#d3d9e0; --palette-text-secondary-dark:#5c6773; color-scheme: light; }
  :root.dark-theme { --palette-text-primary:#e6e9ee; --palette-background-primary:#1d232b; --palette-background-secondary:#262e38; --palette-border-default:#3b4552; --palette-text-secondary-dark:#a3adb9; color-scheme: dark; }
  body { margin:0; font:13px/1.4 -apple-system, "Segoe UI", Roboto, Arial, sans-serif; background:var(--palette-background-secondary); color:var(--palette-text-primary); }
  .card { display:flex; min-height:100vh; } .card-main { flex:1; padding:24px; } .muted { color:var(--palette-text-secondary-dark); }
  .card-widgets { width:320px; padding:12px; background:var(--palette-background-primary); border-left:1px solid var(--palette-border-default); }
  .card-widgets__widget__caption { font-weight:600; text-transform:uppercase; font-size:11px; margin-bottom:6px; }
  .work-area { background:var(--palette-background-primary); min-height:100vh; }
  .modal { max-width:560px; margin:40px auto; background:var(--palette-background-primary); border:1px solid var(--palette-border-default); padding:20px; }
  .modal-foot { margin-top:16px; display:flex; justify-content:flex-end; }
</style>
<script>window.HARNESS = ${escapeJson(cfg)};</script>
<script src="/vendor/require.js"></script>
<script src="/vendor/jquery.js"></script>
</head><body>${body}<script src="/host.js"></script></body></html>`;
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://harness');
    const path = url.pathname;
    const html = (area: Area) => {
      res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html', 'cache-control': 'no-store' });
      res.end(page(req, url, area));
    };
    if (req.method === 'POST' && path === '/__harness/token') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ token: mintToken() }));
      return;
    }
    if (req.method !== 'GET') return notFound(res);
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/vendor/require.js') return sendFile(res, requireJs);
    if (path === '/vendor/jquery.js') return sendFile(res, jquery);
    if (path === '/host.js') return sendFile(res, hostJs);
    if (path.startsWith('/widget/')) {
      const file = safeJoin(widgetDir, path.slice('/widget/'.length));
      return file ? sendFile(res, file) : notFound(res);
    }
    if (path === '/card') return html('lcard');
    if (path === '/settings' || path === `/settings/widgets/${widgetCode}/`) return html('advanced_settings');
    if (path === '/modal') return html('settings');
    if (path === '/dp') return html('digital_pipeline');
    if (path === '/salesbot') return html('salesbot');
    if (path === '/') {
      res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Kommo widget harness</title><ul>
        <li><a href="/card?lead=1">Lead card</a> (<a href="/card?lead=1&theme=dark">dark</a>)</li>
        <li><a href="/settings">Advanced settings</a> (<a href="/settings?theme=dark">dark</a>)</li>
        <li><a href="/modal">Settings modal</a></li><li><a href="/dp?pipeline=1&status=2">Digital pipeline</a></li>
        <li><a href="/salesbot">Salesbot designer</a></li></ul>`);
      return;
    }
    notFound(res);
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    mintToken,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
