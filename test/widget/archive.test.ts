import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, readWidgetDir, resolveBuildSettings, WidgetBuildError } from '../../scripts/widget/build.js';
import {
  extractCss,
  flattenKeys,
  IMAGE_SIZES,
  MAX_SCRIPT_GZIP_BYTES,
  pngSize,
  REQUIRED_LOCATIONS,
  unscopedSelectors,
  validateWidget,
  type WidgetFiles,
} from '../../scripts/widget/validate.js';
import { unzipWidget, zipWidget } from '../../scripts/widget/zip.js';

const PUBLIC_URL = 'https://agent.example.com';
const SECRET = 'test-hook-secret-123';

let tmp: string;
let zipped: WidgetFiles;
let zipPath: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kai-widget-'));
  const built = await buildWidget({ publicUrl: PUBLIC_URL, hookSecret: SECRET, outDir: join(tmp, 'widget') });
  zipPath = zipWidget(built.files, join(tmp, 'widget.zip')).path;
  zipped = unzipWidget(new Uint8Array(readFileSync(zipPath)));
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = (files: WidgetFiles, path: string) => JSON.parse(new TextDecoder().decode(files.get(path))) as Record<string, any>;
const script = () => new TextDecoder().decode(zipped.get('script.js'));

describe('widget.zip', () => {
  it('has the files at the archive root, nothing wrapped in a folder', () => {
    const paths = [...zipped.keys()].sort();
    expect(paths).toEqual(
      ['admin.js', 'i18n/en.json', 'i18n/es.json', 'i18n/pt.json', 'i18n/ru.json', ...Object.keys(IMAGE_SIZES), 'manifest.json', 'script.js'].sort(),
    );
  });

  it('passes every marketplace check of the validator', () => {
    expect(validateWidget(zipped)).toEqual([]);
  });

  it('has a manifest with the required widget fields, locations and sections', () => {
    const m = json(zipped, 'manifest.json');
    expect(m.widget).toMatchObject({ interface_version: 2, init_once: false, installation: true, locale: ['en', 'es', 'pt', 'ru'] });
    expect(m.widget.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.widget.support.link).toMatch(/^https:\/\//);
    expect(m.widget.support.email).toContain('@');
    for (const loc of REQUIRED_LOCATIONS) expect(m.locations).toContain(loc);
    expect(m.dp).toMatchObject({ action_multiple: false, webhook_url: `${PUBLIC_URL}/webhooks/dp/${SECRET}` });
    expect(m.dp.settings.agent_id).toBeDefined();
    expect(m.advanced.title).toBe('advanced.title');
    expect(m.salesbot_designer.handler_code.name).toBe('salesbot.handler_name');
  });

  it('keeps name, short description and description within Kommo limits in every locale', () => {
    for (const lang of ['en', 'es', 'pt', 'ru']) {
      const w = json(zipped, `i18n/${lang}.json`).widget;
      expect([...w.name].length, `${lang} name`).toBeLessThanOrEqual(30);
      expect([...w.short_description].length, `${lang} short_description`).toBeLessThanOrEqual(50);
      expect([...w.description].length, `${lang} description`).toBeLessThanOrEqual(400);
    }
  });

  it('has identical key sets in every locale', () => {
    const base = flattenKeys(json(zipped, 'i18n/en.json')).sort();
    expect(base.length).toBeGreaterThan(100);
    for (const lang of ['es', 'pt', 'ru']) expect(flattenKeys(json(zipped, `i18n/${lang}.json`)).sort(), lang).toEqual(base);
  });

  it("speaks Kommo's own Russian terms: сделка, never лид", () => {
    const texts = (o: unknown): string[] => (typeof o === 'string' ? [o] : o && typeof o === 'object' ? Object.values(o).flatMap(texts) : []);
    const ru = texts(json(zipped, 'i18n/ru.json'));
    expect(ru.filter((t) => /(^|[^а-яё])лид/i.test(t))).toEqual([]);
    expect(json(zipped, 'i18n/ru.json').ui.mode.draft).not.toBe('Черновики');
  });

  it('ships PNG logos with the exact sizes, each under 300 KB', () => {
    for (const [path, [w, h]] of Object.entries(IMAGE_SIZES)) {
      const bytes = zipped.get(path);
      expect(bytes, path).toBeDefined();
      expect(pngSize(bytes!), path).toEqual({ width: w, height: h });
      expect(bytes!.length, path).toBeLessThanOrEqual(300 * 1024);
    }
  });

  it('ships an AMD module that asks for jquery, with the backend URL baked in', () => {
    const s = script();
    expect(s.startsWith("define(['jquery'], function ($) {")).toBe(true);
    expect(s.trimEnd().endsWith('});')).toBe(true);
    expect(s).toMatch(/var BACKEND_URL = true \? "https:\/\/agent\.example\.com"/);
    expect(s).toMatch(/var HOOK_SECRET = true \? "test-hook-secret-123"/);
  });

  it('is not minified: many short, indented lines', () => {
    const lines = script()
      .split('\n')
      .filter((l) => l.trim());
    const avg = lines.reduce((n, l) => n + l.length, 0) / lines.length;
    const indented = lines.filter((l) => /^\s+\S/.test(l)).length / lines.length;
    expect(lines.length).toBeGreaterThan(1000);
    expect(avg).toBeLessThan(60);
    expect(indented).toBeGreaterThan(0.8);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1000);
  });

  it('contains no eval, no new Function, no script injection and no writes to APP', () => {
    const s = script();
    expect(s).not.toMatch(/(^|[^\w$.])eval\s*\(/);
    expect(s).not.toMatch(/new\s+Function\s*\(/);
    expect(s).not.toMatch(/createElement\(\s*['"`]script/i);
    expect(s).not.toMatch(/\bAPP(\.[\w$]+)*\s*=[^=]/);
  });

  it('scopes every CSS selector under .kai-', () => {
    const css = extractCss(script());
    expect(css).not.toBeNull();
    expect(css).toContain('.kai-root');
    expect(css).toContain('prefers-color-scheme: dark');
    expect(unscopedSelectors(css!)).toEqual([]);
  });

  it('stays within its gzipped budget', () => {
    const gz = gzipSync(Buffer.from(script())).length;
    expect(gz).toBeLessThanOrEqual(MAX_SCRIPT_GZIP_BYTES);
    // The stage editor (the card's "This stage" tab and the pipeline board) comes with admin.js, on demand.
    expect(script()).not.toContain('"kai-stage-editor"');
  });

  it('reads back identically from the built folder and from the zip', () => {
    const dir = readWidgetDir(join(tmp, 'widget'));
    expect([...dir.keys()].sort()).toEqual([...zipped.keys()].sort());
    for (const [path, bytes] of dir) expect(Buffer.from(zipped.get(path)!).equals(Buffer.from(bytes)), path).toBe(true);
  });
});

describe('the validator rejects what the marketplace rejects', () => {
  const mutate = (fn: (files: WidgetFiles) => void) => {
    const copy: WidgetFiles = new Map([...zipped].map(([k, v]) => [k, new Uint8Array(v)]));
    fn(copy);
    return validateWidget(copy);
  };
  const setJson = (files: WidgetFiles, path: string, value: unknown) => files.set(path, new TextEncoder().encode(JSON.stringify(value)));
  const setText = (files: WidgetFiles, path: string, value: string) => files.set(path, new TextEncoder().encode(value));

  it('a logo with the wrong size', () => {
    const problems = mutate((f) => f.set('images/logo.png', zipped.get('images/logo_min.png')!));
    expect(problems.join('\n')).toMatch(/images\/logo\.png is 84×84; Kommo requires 130×100/);
  });

  it('a logo over 300 KB', () => {
    const problems = mutate((f) => {
      const big = new Uint8Array(301 * 1024);
      big.set(zipped.get('images/logo_dp.png')!);
      f.set('images/logo_dp.png', big);
    });
    expect(problems.join('\n')).toMatch(/logo_dp\.png is 301 KB/);
  });

  it('a locale missing a key', () => {
    const problems = mutate((f) => {
      const es = json(f, 'i18n/es.json');
      delete es.ui.common.retry;
      setJson(f, 'i18n/es.json', es);
    });
    expect(problems.join('\n')).toMatch(/i18n\/es\.json lacks keys of en\.json: ui\.common\.retry/);
  });

  it('a name over 30 characters, a missing location, a placeholder left in the DP URL', () => {
    const problems = mutate((f) => {
      const pt = json(f, 'i18n/pt.json');
      pt.widget.name = 'Um nome de widget longo demais para o marketplace';
      setJson(f, 'i18n/pt.json', pt);
      const m = json(f, 'manifest.json');
      m.locations = m.locations.filter((l: string) => l !== 'advanced_settings');
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own placeholder syntax, not a template literal
      m.dp.webhook_url = '${PUBLIC_URL}/webhooks/dp/x';
      setJson(f, 'manifest.json', m);
    }).join('\n');
    expect(problems).toMatch(/widget\.name in pt is \d+ characters; the limit is 30/);
    expect(problems).toMatch(/locations must include "advanced_settings"/);
    expect(problems).toMatch(/dp\.webhook_url must be an absolute URL/);
  });

  it('eval, new Function and a minified script', () => {
    const s = script();
    expect(mutate((f) => setText(f, 'script.js', s.replace('"use strict";', '"use strict"; eval("1");'))).join('\n')).toMatch(/calls eval\(/);
    expect(mutate((f) => setText(f, 'script.js', s.replace('"use strict";', '"use strict"; new Function("return 1");'))).join('\n')).toMatch(/new Function/);
    const minified = s
      .split('\n')
      .map((l) => l.trim())
      .join('');
    expect(mutate((f) => setText(f, 'script.js', minified)).join('\n')).toMatch(/looks minified/);
  });

  it('a global CSS selector', () => {
    expect(unscopedSelectors('.kai-a { color: red } body, .kai-b { margin: 0 } @media (x) { div { a: b } }')).toEqual(['body', 'div']);
    expect(unscopedSelectors('@keyframes kai-x { from { opacity: 0 } 50% { opacity: .5 } to { opacity: 1 } }')).toEqual([]);
    const s = script();
    const problems = mutate((f) => setText(f, 'script.js', s.replace('.kai-root {', 'button { color: red }\n.kai-root {')));
    expect(problems.join('\n')).toMatch(/CSS selector "button" is not scoped under \.kai-/);
  });

  it('a non-loopback build without a hook secret, or over plain http', () => {
    expect(() => resolveBuildSettings({ publicUrl: 'https://agent.example.com' }, {})).toThrow(WidgetBuildError);
    expect(() => resolveBuildSettings({ publicUrl: 'http://agent.example.com', hookSecret: 'abc' }, {})).toThrow(/https/);
    expect(resolveBuildSettings({}, {})).toEqual({ publicUrl: 'http://localhost:3000', hookSecret: 'dev' });
  });
});
