/**
 * The Kommo marketplace's checks on a widget archive, run on the built folder and on the zip alike.
 * Each rule comes from Kommo's widget docs or marketplace review rules (see docs/kommo.md §6).
 */
import { gzipSync } from 'node:zlib';

export type WidgetFiles = Map<string, Uint8Array>;

export const REQUIRED_LOCATIONS = ['lcard-1', 'settings', 'advanced_settings', 'digital_pipeline', 'salesbot_designer'] as const;
export const IMAGE_SIZES: Record<string, [number, number]> = {
  'images/logo_main.png': [400, 272],
  'images/logo_medium.png': [240, 84],
  'images/logo.png': [130, 100],
  'images/logo_small.png': [108, 108],
  'images/logo_min.png': [84, 84],
  'images/logo_dp.png': [174, 109],
};
export const MAX_IMAGE_BYTES = 300 * 1024;
export const MAX_SCRIPT_GZIP_BYTES = 60 * 1024;
/** The admin app (admin.js) loads only on the advanced settings page; a ceiling that still keeps it lean. */
export const MAX_ADMIN_GZIP_BYTES = 150 * 1024;
export const LIMITS = { name: 30, short_description: 50, description: 400 } as const;
export const CSS_PREFIX = '.kai-';
const SETTING_TYPES = new Set(['text', 'pass', 'custom', 'users', 'users_lp', 'numeric', 'url', 'checkbox', 'select']);

export class WidgetValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`The widget is not valid for the Kommo marketplace:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WidgetValidationError';
  }
}

const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || sig.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** All leaf keys of a locale file, as dotted paths. */
export function flattenKeys(value: unknown, prefix = ''): string[] {
  if (!isObj(value)) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => flattenKeys(v, prefix ? `${prefix}.${k}` : k));
}

function lookup(dict: unknown, path: string): unknown {
  let node = dict;
  for (const part of path.split('.')) {
    if (!isObj(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** The CSS text the script injects: the template literal that starts with the `kai:css` marker comment. */
export function extractCss(script: string): string | null {
  const start = script.indexOf('`/* kai:css');
  if (start < 0) return null;
  let i = start + 1;
  while (i < script.length) {
    const ch = script[i];
    if (ch === '\\') i += 2;
    else if (ch === '`') break;
    else i++;
  }
  return script.slice(start + 1, i).replace(/\\([\\`$])/g, '$1');
}

/** Selectors that are not under the widget's class prefix; keyframe steps (`from`, `to`, `50%`) are skipped. */
export function unscopedSelectors(css: string, prefix = CSS_PREFIX): string[] {
  const bad: string[] = [];
  const clean = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const stack: ('keyframes' | 'group' | 'rule')[] = [];
  let buf = '';
  for (const ch of clean) {
    if (ch === '{') {
      const head = buf.trim();
      buf = '';
      if (head.startsWith('@')) {
        stack.push(/^@(-\w+-)?keyframes\b/.test(head) ? 'keyframes' : 'group');
      } else {
        if (!stack.includes('keyframes')) {
          for (const sel of head
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)) {
            if (!sel.startsWith(prefix)) bad.push(sel);
          }
        }
        stack.push('rule');
      }
    } else if (ch === '}') {
      stack.pop();
      buf = '';
    } else if (ch === ';' && (stack.length === 0 || stack[stack.length - 1] !== 'rule')) {
      buf = ''; // a top-level at-statement such as @import or @charset
    } else {
      buf += ch;
    }
  }
  return bad;
}

/** Signs of minified code: few, very long lines and no indentation. */
export function minificationProblems(script: string, name = 'script.js'): string[] {
  const lines = script.split('\n');
  const nonEmpty = lines.filter((l) => l.trim());
  const avg = nonEmpty.reduce((n, l) => n + l.length, 0) / Math.max(1, nonEmpty.length);
  const longest = Math.max(0, ...nonEmpty.map((l) => l.length));
  const indented = nonEmpty.filter((l) => /^\s+\S/.test(l)).length / Math.max(1, nonEmpty.length);
  const problems: string[] = [];
  if (nonEmpty.length < 200) problems.push(`${name} has only ${nonEmpty.length} lines: it looks minified`);
  if (avg > 100) problems.push(`${name} lines average ${avg.toFixed(0)} characters: it looks minified`);
  if (longest > 1000) problems.push(`${name} has a ${longest}-character line: it looks minified`);
  if (indented < 0.5) problems.push(`only ${(indented * 100).toFixed(0)}% of ${name} lines are indented: it looks minified`);
  return problems;
}

/** Marketplace rules on what the code may do: no eval, no dynamic code, no script injection, no writes to APP. */
export function forbiddenCode(script: string, name = 'script.js'): string[] {
  const rules: [RegExp, string][] = [
    [/(^|[^\w$.])eval\s*\(/, 'calls eval('],
    [/\bnew\s+Function\s*\(/, 'uses new Function('],
    [/createElement\(\s*['"`]script['"`]\s*\)/i, 'creates a <script> element'],
    [/<script[\s>]/i, 'contains a <script> tag'],
    [/document\.write\s*\(/, 'calls document.write('],
    [/\b(APP|AMOCRM)(\s*\.\s*[\w$]+|\s*\[[^\]]*\])*\s*(=(?!=)|\+=|-=)/, 'writes to the global APP'],
    [/\b(setTimeout|setInterval)\s*\(\s*['"`]/, 'passes a string to setTimeout/setInterval'],
  ];
  return rules.filter(([re]) => re.test(script)).map(([, what]) => `${name} ${what}`);
}

function checkManifest(manifest: Json, locales: Map<string, Json>, problems: string[]) {
  const w = manifest.widget;
  if (!isObj(w)) {
    problems.push('manifest.json: missing "widget"');
    return;
  }
  for (const key of ['name', 'description', 'short_description', 'version'] as const) {
    if (typeof w[key] !== 'string' || !w[key]) problems.push(`manifest.json: widget.${key} is required`);
  }
  if (typeof w.version === 'string' && !/^\d+\.\d+\.\d+$/.test(w.version)) problems.push('manifest.json: widget.version must be x.y.z');
  if (w.interface_version !== 2) problems.push('manifest.json: widget.interface_version must be 2');
  if (typeof w.init_once !== 'boolean') problems.push('manifest.json: widget.init_once must be a boolean');
  if (w.installation !== true) problems.push('manifest.json: widget.installation must be true');
  if (!isObj(w.support) || typeof w.support.link !== 'string' || typeof w.support.email !== 'string') {
    problems.push('manifest.json: widget.support needs link and email');
  } else {
    if (!/^https?:\/\/\S+$/.test(w.support.link)) problems.push('manifest.json: widget.support.link must be a URL');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(w.support.email)) problems.push('manifest.json: widget.support.email must be an email');
  }
  const declared = Array.isArray(w.locale) ? w.locale.filter((l): l is string => typeof l === 'string') : [];
  if (!declared.length) problems.push('manifest.json: widget.locale must list at least one locale');
  for (const l of declared) if (!locales.has(l)) problems.push(`i18n/${l}.json is missing (listed in widget.locale)`);

  /** A manifest string is an i18n key; it must exist in every locale, and its texts obey `max`. */
  const i18nRef = (where: string, ref: unknown, max?: number) => {
    if (typeof ref !== 'string' || !ref) return problems.push(`manifest.json: ${where} is required`);
    for (const [lang, dict] of locales) {
      const value = lookup(dict, ref);
      const resolved = typeof value === 'string' ? value : null;
      if (resolved === null && /^[a-z_]+(\.[a-z_0-9]+)+$/i.test(ref)) {
        problems.push(`i18n/${lang}.json: no text for "${ref}" (manifest ${where})`);
        continue;
      }
      const shown = resolved ?? ref;
      if (max !== undefined && [...shown].length > max) {
        problems.push(`${where} in ${lang} is ${[...shown].length} characters; the limit is ${max}`);
      }
    }
  };
  i18nRef('widget.name', w.name, LIMITS.name);
  i18nRef('widget.short_description', w.short_description, LIMITS.short_description);
  i18nRef('widget.description', w.description, LIMITS.description);

  const locations = Array.isArray(manifest.locations) ? manifest.locations : [];
  for (const loc of REQUIRED_LOCATIONS) if (!locations.includes(loc)) problems.push(`manifest.json: locations must include "${loc}"`);

  const checkFields = (where: string, fields: unknown, requireType: boolean) => {
    if (fields === undefined) return;
    if (!isObj(fields)) return problems.push(`manifest.json: ${where} must be an object`);
    for (const [code, field] of Object.entries(fields)) {
      if (!isObj(field)) {
        problems.push(`manifest.json: ${where}.${code} must be an object`);
        continue;
      }
      i18nRef(`${where}.${code}.name`, field.name);
      if (requireType && (typeof field.type !== 'string' || !SETTING_TYPES.has(field.type))) {
        problems.push(`manifest.json: ${where}.${code}.type must be one of ${[...SETTING_TYPES].join(', ')}`);
      }
    }
  };
  checkFields('settings', manifest.settings, true);

  if (locations.includes('digital_pipeline')) {
    const dp = manifest.dp;
    if (!isObj(dp)) problems.push('manifest.json: "dp" is required with the digital_pipeline location');
    else {
      checkFields('dp.settings', dp.settings ?? {}, true);
      if (typeof dp.action_multiple !== 'boolean') problems.push('manifest.json: dp.action_multiple must be a boolean');
      if (typeof dp.webhook_url !== 'string' || !/^https?:\/\/[^\s${}]+$/.test(dp.webhook_url)) {
        problems.push(`manifest.json: dp.webhook_url must be an absolute URL with nothing left to substitute (got ${JSON.stringify(dp.webhook_url)})`);
      }
    }
  }
  if (locations.includes('advanced_settings')) {
    if (!isObj(manifest.advanced)) problems.push('manifest.json: "advanced" is required with the advanced_settings location');
    else i18nRef('advanced.title', manifest.advanced.title);
  }
  if (locations.includes('salesbot_designer')) {
    const sb = manifest.salesbot_designer;
    const handlers = isObj(sb) ? Object.entries(sb).filter(([k, v]) => k !== 'logo' && isObj(v)) : [];
    if (!handlers.length) problems.push('manifest.json: salesbot_designer needs at least one handler');
    for (const [code, handler] of handlers) {
      const h = handler as Json;
      i18nRef(`salesbot_designer.${code}.name`, h.name);
      checkFields(`salesbot_designer.${code}.settings`, h.settings ?? {}, true);
    }
  }
}

function checkLocales(locales: Map<string, Json>, problems: string[]) {
  const entries = [...locales.entries()];
  const first = entries[0];
  if (!first) return problems.push('i18n/: no locale files');
  const base = new Set(flattenKeys(first[1]));
  for (const [lang, dict] of entries.slice(1)) {
    const keys = new Set(flattenKeys(dict));
    const missing = [...base].filter((k) => !keys.has(k));
    const extra = [...keys].filter((k) => !base.has(k));
    if (missing.length) problems.push(`i18n/${lang}.json lacks keys of ${first[0]}.json: ${missing.slice(0, 10).join(', ')}`);
    if (extra.length) problems.push(`i18n/${lang}.json has keys ${first[0]}.json lacks: ${extra.slice(0, 10).join(', ')}`);
  }
  for (const [lang, dict] of entries) {
    for (const key of flattenKeys(dict)) {
      const v = lookup(dict, key);
      if (typeof v !== 'string' || !v.trim()) problems.push(`i18n/${lang}.json: "${key}" must be a non-empty string`);
    }
  }
}

/** Every problem with a widget's files (paths relative to the archive root). Empty means valid. */
export function validateWidget(files: WidgetFiles): string[] {
  const problems: string[] = [];
  for (const path of files.keys()) {
    if (path.startsWith('/') || path.includes('\\') || path.split('/').includes('..')) problems.push(`bad path in archive: ${path}`);
  }
  for (const required of ['manifest.json', 'script.js']) if (!files.has(required)) problems.push(`${required} is missing at the archive root`);

  // Text files: UTF-8 without BOM, LF line ends.
  const texts = new Map<string, string>();
  for (const [path, bytes] of files) {
    if (!/\.(json|js|css|twig)$/.test(path)) continue;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) problems.push(`${path} starts with a BOM`);
    try {
      const s = text(bytes);
      if (s.includes('\r')) problems.push(`${path} has CR line ends; use LF`);
      texts.set(path, s);
    } catch {
      problems.push(`${path} is not valid UTF-8`);
    }
  }

  const locales = new Map<string, Json>();
  for (const [path, s] of texts) {
    const m = /^i18n\/([a-z]{2})\.json$/.exec(path);
    if (!m?.[1]) continue;
    try {
      const dict: unknown = JSON.parse(s);
      if (isObj(dict)) locales.set(m[1], dict);
      else problems.push(`${path} must hold a JSON object`);
    } catch (e) {
      problems.push(`${path} is not valid JSON: ${(e as Error).message}`);
    }
  }
  checkLocales(locales, problems);

  const manifestText = texts.get('manifest.json');
  if (manifestText !== undefined) {
    try {
      const manifest: unknown = JSON.parse(manifestText);
      if (isObj(manifest)) checkManifest(manifest, locales, problems);
      else problems.push('manifest.json must hold a JSON object');
    } catch (e) {
      problems.push(`manifest.json is not valid JSON: ${(e as Error).message}`);
    }
  }

  for (const [path, [width, height]] of Object.entries(IMAGE_SIZES)) {
    const bytes = files.get(path);
    if (!bytes) {
      problems.push(`${path} is missing`);
      continue;
    }
    const size = pngSize(bytes);
    if (!size) problems.push(`${path} is not a PNG`);
    else if (size.width !== width || size.height !== height) {
      problems.push(`${path} is ${size.width}×${size.height}; Kommo requires ${width}×${height}`);
    }
    if (bytes.length > MAX_IMAGE_BYTES) problems.push(`${path} is ${Math.ceil(bytes.length / 1024)} KB; the limit is 300 KB`);
  }
  for (const path of files.keys()) {
    if (path.startsWith('images/') && !path.endsWith('.png')) problems.push(`${path}: images must be PNG`);
  }

  const script = texts.get('script.js');
  if (script !== undefined) {
    if (!/^define\(\s*\[\s*['"]jquery['"]/.test(script)) problems.push("script.js must start with define(['jquery'], …)");
    problems.push(...forbiddenCode(script), ...minificationProblems(script));
    const gz = gzipSync(Buffer.from(script)).length;
    if (gz > MAX_SCRIPT_GZIP_BYTES) problems.push(`script.js is ${(gz / 1024).toFixed(1)} KB gzipped; the budget is ${MAX_SCRIPT_GZIP_BYTES / 1024} KB`);
    const css = extractCss(script);
    if (css === null) problems.push('script.js: the injected stylesheet (kai:css) was not found');
    else for (const sel of unscopedSelectors(css)) problems.push(`CSS selector "${sel}" is not scoped under ${CSS_PREFIX}`);
  }
  // The admin app, loaded by script.js on the advanced settings page: the same code rules, its own budget.
  const admin = texts.get('admin.js');
  if (admin !== undefined) {
    if (!/^define\(\s*\[/.test(admin)) problems.push('admin.js must be an AMD module: define([...], …)');
    problems.push(...forbiddenCode(admin, 'admin.js'), ...minificationProblems(admin, 'admin.js'));
    const gz = gzipSync(Buffer.from(admin)).length;
    if (gz > MAX_ADMIN_GZIP_BYTES) problems.push(`admin.js is ${(gz / 1024).toFixed(1)} KB gzipped; the budget is ${MAX_ADMIN_GZIP_BYTES / 1024} KB`);
  }
  const styleCss = texts.get('style.css');
  if (styleCss !== undefined) for (const sel of unscopedSelectors(styleCss)) problems.push(`style.css selector "${sel}" is not scoped under ${CSS_PREFIX}`);
  return problems;
}

export function assertValidWidget(files: WidgetFiles) {
  const problems = validateWidget(files);
  if (problems.length) throw new WidgetValidationError(problems);
}
