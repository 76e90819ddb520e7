/**
 * Build the Kommo widget into a folder laid out exactly like the archive root:
 * manifest.json, script.js, i18n/*.json, images/*.png. Fails on anything the marketplace would reject.
 */
import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { assertValidWidget, type WidgetFiles } from './validate.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_OUT_DIR = join(ROOT, 'dist/widget');

export interface WidgetBuildOptions {
  /** The backend's public origin, baked into script.js and manifest.json. Default: env PUBLIC_URL or http://localhost:3000. */
  publicUrl?: string;
  /** Path secret of the DP webhook and Salesbot handler URLs. Default: env WIDGET_HOOK_SECRET ('dev' on loopback). */
  hookSecret?: string;
  outDir?: string;
}

export interface WidgetBuildResult {
  outDir: string;
  files: WidgetFiles;
  scriptBytes: number;
  scriptGzipBytes: number;
  publicUrl: string;
}

export class WidgetBuildError extends Error {
  override name = 'WidgetBuildError';
}

/** Read build settings the way the server reads its own: named variables, a clear message on a bad one. */
export function resolveBuildSettings(opts: WidgetBuildOptions, env: NodeJS.ProcessEnv = process.env) {
  const raw = (opts.publicUrl ?? env.PUBLIC_URL ?? '').trim() || 'http://localhost:3000';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WidgetBuildError(`PUBLIC_URL: expected an absolute URL such as https://agent.example.com (got ${JSON.stringify(raw)})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WidgetBuildError(`PUBLIC_URL: expected http(s) (got ${raw})`);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (!loopback && url.protocol !== 'https:') throw new WidgetBuildError(`PUBLIC_URL: Kommo only calls https backends (got ${raw})`);
  const publicUrl = raw.replace(/\/+$/, '');
  const secret = (opts.hookSecret ?? env.WIDGET_HOOK_SECRET ?? '').trim() || (loopback ? 'dev' : '');
  if (!secret) {
    throw new WidgetBuildError(
      'WIDGET_HOOK_SECRET: required when PUBLIC_URL is not loopback (the path secret of /webhooks/dp/<secret> and /salesbot/<secret>; use a long random string)',
    );
  }
  if (!/^[A-Za-z0-9_-]{3,128}$/.test(secret)) throw new WidgetBuildError('WIDGET_HOOK_SECRET: use 3-128 letters, digits, "_" or "-"');
  return { publicUrl, hookSecret: secret };
}

/**
 * Bundle Preact from its readable sources: the published dist files are minified, and the marketplace
 * refuses minified code anywhere in script.js.
 */
function preactSources(): Plugin {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('preact/package.json'));
  const map: Record<string, string> = {
    preact: join(pkgDir, 'src/index.js'),
    'preact/hooks': join(pkgDir, 'hooks/src/index.js'),
    'preact/jsx-runtime': join(pkgDir, 'jsx-runtime/src/index.js'),
  };
  return {
    name: 'preact-sources',
    setup(b) {
      b.onResolve({ filter: /^preact(\/hooks|\/jsx-runtime)?$/ }, (args) => {
        const path = map[args.path];
        return path ? { path } : undefined;
      });
    },
  };
}

/** `import css from './x.css'` → the stylesheet as a multi-line template literal (readable in script.js). */
function cssAsText(): Plugin {
  return {
    name: 'css-as-text',
    setup(b) {
      b.onLoad({ filter: /\.css$/ }, (args) => {
        const css = readFileSync(args.path, 'utf8').replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
        return { contents: `export default \`${css}\`;\n`, loader: 'js' };
      });
    },
  };
}

/** esbuild, readable output: one IIFE assigning `globalName`, for an AMD wrapper to return. */
async function bundle(entry: string, globalName: string, settings: { publicUrl: string; hookSecret: string }): Promise<string> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    format: 'iife',
    globalName,
    platform: 'browser',
    target: 'es2019',
    minify: false,
    charset: 'utf8',
    legalComments: 'inline',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.json': 'json' },
    plugins: [preactSources(), cssAsText()],
    define: {
      __KAI_BACKEND_URL__: JSON.stringify(settings.publicUrl),
      __KAI_HOOK_SECRET__: JSON.stringify(settings.hookSecret),
      'process.env.NODE_ENV': '"production"',
    },
    logLevel: 'silent',
  });
  const out = result.outputFiles[0];
  if (!out) throw new WidgetBuildError('esbuild produced no output');
  return out.text.trimEnd();
}

export async function bundleScript(settings: { publicUrl: string; hookSecret: string; version: string }): Promise<string> {
  const body = await bundle('widget/src/index.ts', 'kai', settings);
  // AMD wrapper: Kommo loads script.js with RequireJS and hands us its jQuery.
  return [
    "define(['jquery'], function ($) {",
    `// AI Sales Agent widget ${settings.version}: built from widget/src (TypeScript + Preact), deliberately not minified.`,
    body,
    'return kai.createWidget($);',
    '});',
    '',
  ].join('\n');
}

/** admin.js: the admin app as its own AMD module, which script.js loads when the advanced settings page opens. */
export async function bundleAdmin(settings: { publicUrl: string; hookSecret: string; version: string }): Promise<string> {
  const body = await bundle('widget/src/admin-entry.ts', 'kaiAdmin', settings);
  return [
    'define([], function () {',
    `// AI Sales Agent widget ${settings.version}, admin app: built from widget/src (TypeScript + Preact), deliberately not minified.`,
    body,
    'return kaiAdmin;',
    '});',
    '',
  ].join('\n');
}

export function renderManifest(template: string, settings: { publicUrl: string; hookSecret: string }): string {
  const manifest = JSON.parse(template) as Record<string, unknown>;
  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/\$\{PUBLIC_URL\}/g, settings.publicUrl).replace(/\$\{WIDGET_HOOK_SECRET\}/g, settings.hookSecret);
    }
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
    return value;
  };
  return `${JSON.stringify(substitute(manifest), null, 2)}\n`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Read a built folder back as archive entries (forward-slash paths relative to the root). */
export function readWidgetDir(dir: string): WidgetFiles {
  const files: WidgetFiles = new Map();
  for (const abs of listFiles(dir).sort()) files.set(relative(dir, abs).split(sep).join('/'), new Uint8Array(readFileSync(abs)));
  return files;
}

export async function buildWidget(opts: WidgetBuildOptions = {}): Promise<WidgetBuildResult> {
  const settings = resolveBuildSettings(opts);
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT_DIR);
  const template = readFileSync(join(ROOT, 'manifest.json'), 'utf8');
  const version = String((JSON.parse(template) as { widget?: { version?: unknown } }).widget?.version ?? '0.0.0');
  const script = await bundleScript({ ...settings, version });
  const admin = await bundleAdmin({ ...settings, version });

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'i18n'), { recursive: true });
  mkdirSync(join(outDir, 'images'), { recursive: true });
  writeFileSync(join(outDir, 'script.js'), script);
  writeFileSync(join(outDir, 'admin.js'), admin);
  writeFileSync(join(outDir, 'manifest.json'), renderManifest(template, settings));
  for (const dir of ['i18n', 'images']) {
    for (const name of readdirSync(join(ROOT, 'widget', dir)).sort()) {
      writeFileSync(join(outDir, dir, name), readFileSync(join(ROOT, 'widget', dir, name)));
    }
  }

  const files = readWidgetDir(outDir);
  assertValidWidget(files);
  return {
    outDir,
    files,
    scriptBytes: Buffer.byteLength(script),
    scriptGzipBytes: gzipSync(Buffer.from(script)).length,
    publicUrl: settings.publicUrl,
  };
}
