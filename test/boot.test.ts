import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { spawnTs } from './helpers/spawn.js';

/** Start the real entry point the way `npm start` does, in an empty folder with no settings. */
function boot(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'boot-'));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(PORT|HOST|PUBLIC_URL|DATABASE_PATH|LOG_LEVEL|ENCRYPTION_KEY|KOMMO_|OPENAI_|SMTP_|MAIL_)/.test(k)),
  );
  const child = spawnTs('server/index.ts', [], { cwd, env: { ...clean, ...env } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { cwd, child, exited, out: () => out, err: () => err };
}

describe('boot', () => {
  it('starts with no configuration: creates ./data/app.db, applies migrations, serves /healthz, drains on SIGTERM', async () => {
    // PORT=0 only so the test never collides with a busy port; everything else is the default.
    const p = boot({ PORT: '0', HOST: '127.0.0.1' });
    const end = Date.now() + 30_000;
    let port: number | undefined;
    while (!port && Date.now() < end) {
      const m = /"port":(\d+)/.exec(p.out());
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(port, p.err()).toBeDefined();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as any;
    expect(ready.status).toBe('ready');
    expect(ready.migrations.current).toBe(true);
    expect(ready.integrations.kommo).toMatch(/not configured/);
    const dbFile = join(p.cwd, 'data', 'app.db');
    expect(existsSync(dbFile)).toBe(true);
    expect(existsSync(join(p.cwd, 'data', 'encryption.key'))).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const db = new Database(dbFile, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r: any) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'jobs', 'activity_logs', '__drizzle_migrations']));
    db.close();
  });

  it('refuses to boot on bad configuration with a message naming the variable', async () => {
    const p = boot({ PORT: 'http', SMTP_URL: 'not a url' });
    expect(await p.exited).toBe(1);
    expect(p.err()).toMatch(/PORT: expected a port number 0-65535/);
    expect(p.err()).toMatch(/SMTP_URL: expected an SMTP URL/);
  });
});
