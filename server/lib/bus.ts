/**
 * The in-process event bus between modules (webhooks → agents, rules, notifications).
 * Dispatch is synchronous on purpose: a subscriber reacts by enqueueing a job, so when the publisher
 * runs inside a transaction the reaction commits or rolls back with it. Nothing is lost on a crash.
 */
import type { BusEventName, BusEvents } from './events.js';

type Handler<K extends BusEventName> = (payload: BusEvents[K]) => void;

export class EventBus {
  // Each name's list holds handlers of that name's payload; the map cannot say so, `on`/`emit` keep it true.
  private readonly handlers = new Map<BusEventName, Handler<BusEventName>[]>();

  on<K extends BusEventName>(name: K, handler: Handler<K>): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler<BusEventName>);
    this.handlers.set(name, list);
    return () =>
      this.handlers.set(
        name,
        (this.handlers.get(name) ?? []).filter((h) => h !== handler),
      );
  }

  emit<K extends BusEventName>(name: K, payload: BusEvents[K]): void {
    for (const h of (this.handlers.get(name) ?? []) as Handler<K>[]) h(payload);
  }
}
