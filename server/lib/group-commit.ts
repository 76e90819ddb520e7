import type { Sqlite } from '../../db/client.js';

interface Pending {
  fn: () => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for hot durable write paths (webhook ingest, event handlers, job completions): writes that arrive in the same tick share
 * one SQLite transaction, each inside its own savepoint, and every caller's promise settles only after
 * the COMMIT. A failing write rolls back its savepoint alone; the others still commit.
 */
export class GroupCommitter {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly sqlite: Sqlite,
    private readonly maxBatch = 256,
    /** Told after each COMMIT how many writes it carried (for /metrics). */
    private readonly onCommit?: (writes: number) => void,
  ) {}

  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush() {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.sqlite
        .transaction(() => {
          for (const item of batch) {
            try {
              // A nested better-sqlite3 transaction is a SAVEPOINT: a throw undoes only this write.
              outcomes.push({ ok: true, value: this.sqlite.transaction(item.fn)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    this.onCommit?.(batch.length);
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
