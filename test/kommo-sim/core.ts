import { nextEventId, type SimState } from './state.js';
import type { SimEvent } from './types.js';

/** What route handlers share: the state, the sim clock and link building. */
export class SimCore {
  baseUrl = '';
  /** Seconds added to the real clock (`KommoSim.tick`). */
  clockOffsetSec = 0;

  constructor(readonly state: SimState) {}

  /** Sim clock, unix seconds. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffsetSec;
  }

  get accountId(): number {
    return this.state.account.id;
  }

  get currentUserId(): number {
    return this.state.account.current_user_id;
  }

  link(path: string): { self: { href: string } } {
    return { self: { href: `${this.baseUrl}${path}` } };
  }

  addEvent(type: string, entityType: string, entityId: number, after: unknown[] = [], before: unknown[] = []): SimEvent {
    const e: SimEvent = {
      id: nextEventId(this.state),
      type,
      entity_type: entityType,
      entity_id: entityId,
      created_by: this.currentUserId,
      created_at: this.now(),
      value_after: after,
      value_before: before,
      account_id: this.accountId,
    };
    this.state.events.push(e);
    return e;
  }
}
