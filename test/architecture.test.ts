/**
 * The three rules of docs/architecture.md, checked on the source:
 *  1. no module imports the composition root (server/modules.ts);
 *  2. no shared layer (platform.ts, http/, jobs/, kommo/, lib/, llm/, mail/, db/) imports server/modules/;
 *  3. no SQL (`.prepare(`) outside repositories (*.repo.ts) and the job queue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const SERVER = join(ROOT, 'server');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Every relative import of a file, resolved to a repo-relative .ts path. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(ROOT, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

const isModule = (f: string) => f.startsWith('server/modules/');
const SHARED = ['server/platform.ts', 'server/module.ts', 'server/http/', 'server/jobs/', 'server/kommo/', 'server/lib/', 'server/llm/', 'server/mail/', 'db/'];
const isShared = (f: string) => SHARED.some((s) => f === s || (s.endsWith('/') && f.startsWith(s)));
const SQL_ALLOWED = (f: string) => f.endsWith('.repo.ts') || f === 'server/jobs/queue.ts';

function violations(files: { path: string; text: string }[]): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    const deps = importsOf(join(ROOT, path), text);
    if (isModule(path) && deps.includes('server/modules.ts')) out.push(`${path} imports the composition root server/modules.ts`);
    if (isShared(path)) for (const d of deps) if (isModule(d)) out.push(`${path} (a shared layer) imports ${d}`);
    if (!SQL_ALLOWED(path) && /\.prepare\(/.test(text)) out.push(`${path} prepares SQL outside a repository`);
  }
  return out;
}

const repoFiles = () =>
  [...sources(SERVER), ...sources(join(ROOT, 'db')).filter((f) => !f.includes('/migrations/'))].map((p) => ({
    path: relative(ROOT, p),
    text: readFileSync(p, 'utf8'),
  }));

describe('architecture rules (docs/architecture.md)', () => {
  it('hold for the server', () => {
    const files = repoFiles();
    expect(files.length).toBeGreaterThan(50);
    // db/client.ts opens the database and reads the migration table: the one place SQL may live besides repositories.
    expect(violations(files).filter((v) => !v.startsWith('db/client.ts prepares'))).toEqual([]);
  });

  it('catch a module importing the root, a shared layer importing a module, and SQL in a service', () => {
    expect(
      violations([
        { path: 'server/modules/agents/agents.service.ts', text: "import { createModules } from '../../modules.js';" },
        { path: 'server/kommo/token-vault.ts', text: "import { getAccount } from '../modules/accounts/accounts.repo.js';" },
        { path: 'server/modules/mail/templates.service.ts', text: "const row = db.$client.prepare('SELECT 1').get();" },
        { path: 'server/modules/mail/templates.repo.ts', text: "const row = sqlite.prepare('SELECT 1').get();" },
      ]),
    ).toEqual([
      'server/modules/agents/agents.service.ts imports the composition root server/modules.ts',
      'server/kommo/token-vault.ts (a shared layer) imports server/modules/accounts/accounts.repo.ts',
      'server/modules/mail/templates.service.ts prepares SQL outside a repository',
    ]);
  });
});
