import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTs } from '../../test/helpers/spawn.js';
import type { Scenario } from './types.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

export async function load(opts: {
  url: string;
  method?: 'GET' | 'POST';
  body?: string | (() => string);
  headers?: Record<string, string>;
  connections?: number;
  durationSec?: number;
  overallRate?: number;
}): Promise<LoadResult> {
  const makeBody = typeof opts.body === 'function' ? opts.body : undefined;
  const r = await autocannon({
    url: opts.url,
    method: opts.method ?? 'GET',
    body: typeof opts.body === 'string' ? opts.body : undefined,
    headers: opts.headers,
    connections: opts.connections ?? 10,
    duration: opts.durationSec ?? 5,
    overallRate: opts.overallRate,
    requests: makeBody ? [{ setupRequest: (req: any) => ({ ...req, body: makeBody() }) }] : undefined,
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    total: r.requests.total,
  };
}

/** Start scripts/bench/server.ts (or another entry) in a child process on a fresh database file. */
export async function startServer(entry = 'scripts/bench/server.ts', env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const child: ChildProcess = spawnTs(entry, [], {
    env: { ...process.env, DATABASE_PATH: join(dir, 'app.db'), ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64'), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    port,
    dir,
    base: `http://127.0.0.1:${port}`,
    stdout: child.stdout!,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * Run a scenario file in a process of its own (started with `--child`; it prints its figures as JSON on its
 * last line): its figure is not coloured by the heap and compiled code the scenarios before it left, and its
 * memory is its own.
 */
export async function scenarioInChild(file: string, label: string): Promise<Scenario[]> {
  const child = spawnTs(file, ['--child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => void (out += d));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the ${label} bench exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Scenario[];
}
