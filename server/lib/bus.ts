/**
 * The in-process event bus between modules (webhooks → agents, rules, notifications).
 * Dispatch is synchronous on purpose: a subscriber reacts by enqueueing a job, so when the publisher
 * runs inside a transaction the reaction commits or rolls back with it. Nothing is lost on a crash.
 */
import type { BusEventName, BusEvents } from './events.js';

type Handler = (payload: any) => void;

export class EventBus {
  private readonly handlers = new Map<string, Handler[]>();

  on<K extends BusEventName>(name: K, handler: (payload: BusEvents[K]) => void): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler);
    this.handlers.set(name, list);
    return () => this.handlers.set(name, (this.handlers.get(name) ?? []).filter((h) => h !== handler));
  }

  emit<K extends BusEventName>(name: K, payload: BusEvents[K]): void {
    for (const h of this.handlers.get(name) ?? []) h(payload);
  }
}
