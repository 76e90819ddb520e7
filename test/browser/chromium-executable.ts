/**
 * Where the Chromium for browser tests is: CHROMIUM_PATH when set, else the one inside the npm package
 * @sparticuz/chromium, which executablePath() decompresses to $TMPDIR/chromium on first use.
 *
 * That first use is guarded. executablePath() returns $TMPDIR/chromium as soon as the file exists, so a
 * second test process (vitest runs files in parallel) could launch a half-written binary while the first
 * one is still decompressing, and a run killed mid-way would leave a broken binary for every later run.
 * So one process at a time decompresses (a lock file naming its pid), and a marker written after a
 * complete decompression says the binary can be trusted; without the marker it is decompressed afresh.
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface ChromiumExecutable {
  path: string;
  source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
}

const packageVersion = () => {
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  return (JSON.parse(readFileSync(join(dirname(entry), '../../package.json'), 'utf8')) as { version: string }).version;
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Take the lock file, waiting while a live process holds it; a dead holder's lock is taken over. */
async function lock(file: string, timeoutMs = 120_000): Promise<() => void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    let age: number;
    try {
      holder = Number(readFileSync(file, 'utf8').trim() || 0);
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      continue; // released in the meantime: try again
    }
    // An empty file is a holder between creating and writing it; only an old empty one is abandoned.
    if ((holder && !alive(holder)) || (!holder && age > 5_000)) rmSync(file, { force: true });
    if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms for ${file} (held by pid ${holder})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function chromiumExecutable(): Promise<ChromiumExecutable> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return { path: fromEnv, source: 'CHROMIUM_PATH' };

  const { default: chromium } = await import('@sparticuz/chromium');
  const marker = join(tmpdir(), `chromium.complete-${packageVersion()}`);
  if (!existsSync(marker)) {
    const release = await lock(join(tmpdir(), 'chromium.lock'));
    try {
      if (!existsSync(marker)) {
        // Whatever is there was not finished by this version (killed mid-way, or another version's binary).
        rmSync(join(tmpdir(), 'chromium'), { force: true });
        await chromium.executablePath();
        writeFileSync(marker, '');
      }
    } finally {
      release();
    }
  }
  return { path: await chromium.executablePath(), source: '@sparticuz/chromium' };
}
