/**
 * Where the Chromium for browser tests is: CHROMIUM_PATH when set, else the one inside the npm package
 * @sparticuz/chromium, decompressed once per machine by its executablePath().
 *
 * executablePath() decompresses into $TMPDIR and trusts $TMPDIR/chromium as soon as that file exists. Test
 * files run in parallel processes, so a second one could launch a half-written binary, a run killed mid-way
 * would leave a broken one behind, and other programs on the machine may use /tmp/chromium too. So it runs
 * in a child process whose TMPDIR is a private staging directory, which is then renamed into place: the
 * final directory appears complete or not at all, and when two processes race the first rename wins.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

export interface ChromiumExecutable {
  path: string;
  source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
}

const ROOT = resolve(import.meta.dirname, '../..');

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

/** Staging directories of runs that died mid-way (about 250 MB each). */
function removeAbandoned(prefix: string) {
  for (const name of readdirSync(tmpdir())) {
    const pid = name.startsWith(prefix) ? Number(name.slice(prefix.length).split('.')[0]) : 0;
    if (pid && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export async function chromiumExecutable(): Promise<ChromiumExecutable> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return { path: fromEnv, source: 'CHROMIUM_PATH' };

  const dir = join(tmpdir(), `sparticuz-chromium-${packageVersion()}`);
  const exe = join(dir, 'chromium');
  if (existsSync(exe)) return { path: exe, source: '@sparticuz/chromium' };

  const prefix = `${basename(dir)}.staging-`;
  removeAbandoned(prefix);
  const stage = join(tmpdir(), `${prefix}${process.pid}.${Date.now()}`);
  mkdirSync(stage);
  try {
    const script = "const { default: c } = await import('@sparticuz/chromium'); process.stdout.write(await c.executablePath());";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: stage },
    });
    if (stdout !== join(stage, 'chromium')) throw new Error(`@sparticuz/chromium decompressed to ${stdout}, not into ${stage}`);
    try {
      renameSync(stage, dir);
    } catch (err) {
      if (!existsSync(exe)) throw err; // otherwise another process got there first, with the same files
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return { path: exe, source: '@sparticuz/chromium' };
}
