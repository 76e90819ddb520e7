import type { Sqlite } from '../../db/client.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

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
  /**
   * Made once: better-sqlite3 builds four wrapper functions for every `transaction()` call, which cost a
   * hot path more than the SAVEPOINT it runs. Called inside the batch's transaction, this one is a SAVEPOINT.
   */
  private readonly savepoint: (fn: () => unknown) => unknown;
  private readonly batchTx: (batch: Pending[], outcomes: Outcome[]) => void;

  constructor(
    sqlite: Sqlite,
    private readonly maxBatch = 256,
    /** Told after each COMMIT how many writes it carried (for /metrics). */
    private readonly onCommit?: (writes: number) => void,
  ) {
    this.savepoint = sqlite.transaction((fn: () => unknown) => fn());
    this.batchTx = sqlite.transaction((batch: Pending[], outcomes: Outcome[]) => {
      for (const item of batch) {
        try {
          // A nested better-sqlite3 transaction is a SAVEPOINT: a throw undoes only this write.
          outcomes.push({ ok: true, value: this.savepoint(item.fn) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }).immediate;
  }

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
    const outcomes: Outcome[] = [];
    try {
      this.batchTx(batch, outcomes);
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
