/**
 * The order in which one claim visits queues and accounts, kept apart from the SQL so it reads as the
 * policy it is: round-robin over the queues that have room and ready work, and inside each queue
 * round-robin over accounts (system jobs, `account_id` null, count as one more account).
 *
 * A claim takes one job per queue in turn, and inside a queue one job per account in turn, starting
 * after the queue and the account it served last. So 10,000 ready turns of one account cost another
 * account at most one turn's wait for the next slot, and a burst of turns never delays webhook
 * processing beyond one pass over the queues.
 */

/** `null` is the group of system jobs; `undefined` means "nothing served yet". */
export type AccountKey = number | null;

export interface QueueLookups {
  /** The smallest account id above `after` with a ready job in `queue` (its turn may still be serial-blocked), if any. */
  nextAccount(queue: string, after: number): number | undefined;
  /** Up to `limit` ready, not serial-blocked job ids of one account in `queue`, oldest first. */
  ready(queue: string, account: AccountKey, limit: number): number[];
}

const BEFORE_ALL = Number.MIN_SAFE_INTEGER;

/** The account groups of `queue` in cyclic order (null, then ids ascending), starting after `last`. */
export function* accountsAfter(lookups: QueueLookups, queue: string, last: AccountKey | undefined): Generator<AccountKey> {
  const from = (after: number, upTo: number) =>
    (function* () {
      for (let a = lookups.nextAccount(queue, after); a !== undefined && a <= upTo; a = lookups.nextAccount(queue, a)) yield a;
    })();
  if (last === undefined) {
    yield null;
    yield* from(BEFORE_ALL, Number.MAX_SAFE_INTEGER);
  } else if (last === null) {
    yield* from(BEFORE_ALL, Number.MAX_SAFE_INTEGER);
    yield null;
  } else {
    yield* from(last, Number.MAX_SAFE_INTEGER);
    yield null;
    yield* from(BEFORE_ALL, last);
  }
}

/**
 * The job ids of one queue in fair order: one per account in turn, walking the accounts lazily (only as
 * far as the claim needs), then more from the accounts that had more. `served(account)` is called for
 * each id handed out, so the caller can remember where the next claim starts.
 */
export function* fairJobs(
  lookups: QueueLookups,
  queue: string,
  last: AccountKey | undefined,
  perAccount: number,
): Generator<{ id: number; account: AccountKey }> {
  const more: { account: AccountKey; ids: number[] }[] = [];
  for (const account of accountsAfter(lookups, queue, last)) {
    const [first, ...rest] = lookups.ready(queue, account, perAccount);
    if (first === undefined) continue;
    if (rest.length) more.push({ account, ids: rest });
    yield { id: first, account };
  }
  while (more.length) {
    for (let i = 0; i < more.length; ) {
      const entry = more[i]!;
      const id = entry.ids.shift();
      if (id === undefined) {
        more.splice(i, 1);
        continue;
      }
      yield { id, account: entry.account };
      i++;
    }
  }
}

/** The queues in cyclic order starting after the one served last. */
export function rotate(queues: readonly string[], last: string | undefined): string[] {
  const at = last === undefined ? -1 : queues.indexOf(last);
  return [...queues.slice(at + 1), ...queues.slice(0, at + 1)];
}
