import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/**
 * The worker's code (plain CommonJS, so it runs the same under tsx and node): its own connection to the
 * database file, and a PASSIVE checkpoint every `intervalMs`. PASSIVE never waits for or blocks a writer.
 */
const CODE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
let last = '';
let lastAt = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    // Told once, and again a minute later if it goes on (not every tick).
    const message = String((e && e.message) || e);
    if (message !== last || Date.now() - lastAt > 60000) parentPort.postMessage({ error: message });
    last = message;
    lastAt = Date.now();
  }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): void;
}

/**
 * Copy the WAL back into the database file from a worker thread, so that the thread that writes (every
 * webhook, every rule event) does not: SQLite's own checkpoint runs inside the COMMIT that crosses its
 * threshold, and copying a thousand pages back there costs that commit more than all its own writes.
 * The writing connection keeps a higher threshold of its own as a backstop if this one falls behind.
 */
export function startCheckpointer(
  path: string,
  o: {
    intervalMs: number;
    onError(message: string): void;
    /** The thread ended without being asked to (it could not open the file, or died): the writer must checkpoint again. */
    onGone(): void;
  },
): Checkpointer {
  const worker = new Worker(CODE, { eval: true, workerData: { path, module: require.resolve('better-sqlite3'), intervalMs: o.intervalMs } });
  // Never what keeps the process alive; a test or a shutdown that forgets to stop it still exits.
  worker.unref();
  worker.on('message', (m: { error?: string }) => {
    if (m?.error) o.onError(m.error);
  });
  let stopped = false;
  worker.on('error', (e) => o.onError(e.message));
  worker.on('exit', () => {
    if (!stopped) o.onGone();
  });
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
