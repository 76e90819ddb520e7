import { spawn, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = resolve(import.meta.dirname, '../..');
const tsxLoader = pathToFileURL(resolve(root, 'node_modules/tsx/dist/loader.mjs')).href;

/**
 * Run a TypeScript file in ONE node process (no tsx CLI wrapper), so a signal — SIGKILL included —
 * reaches the process that does the work.
 */
export function spawnTs(file: string, args: string[], opts: SpawnOptions = {}) {
  return spawn(process.execPath, ['--import', tsxLoader, resolve(root, file), ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}
