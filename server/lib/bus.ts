/**
 * The in-process event bus between modules (webhooks → agents, rules, notifications).
 * Dispatch is synchronous on purpose: a subscriber reacts by enqueueing a job, so when the publisher
 * runs inside a transaction the reaction commits or rolls back with it. Nothing is lost on a crash.
 */
export interface DomainEvents {
  [name: string]: Record<string, unknown> & { accountId: number };
}

type Handler = (payload: any) => void;

export class EventBus {
  private readonly handlers = new Map<string, Handler[]>();

  on<T extends { accountId: number }>(name: string, handler: (payload: T) => void): () => void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler);
    this.handlers.set(name, list);
    return () => this.handlers.set(name, (this.handlers.get(name) ?? []).filter((h) => h !== handler));
  }

  emit<T extends { accountId: number }>(name: string, payload: T): void {
    for (const h of this.handlers.get(name) ?? []) h(payload);
    for (const h of this.handlers.get('*') ?? []) h({ ...payload, event: name });
  }
}
