/**
 * Which models the agents may use: the operator's allowlist (OPENAI_MODELS) with OPENAI_MODEL as the default.
 * An agent saved with a model that later left the list keeps its setting but runs on the default, and says so.
 */
export interface ModelPolicy {
  /** The allowlist, default first. */
  readonly allowed: readonly string[];
  readonly defaultModel: string;
  isAllowed(model: string): boolean;
  /** The model a turn calls for an agent configured with `model`. */
  effective(model: string): { model: string; fallback: boolean };
}

export function modelPolicy(env: { OPENAI_MODEL: string; OPENAI_MODELS?: string[] }): ModelPolicy {
  const list = env.OPENAI_MODELS?.length ? env.OPENAI_MODELS : [env.OPENAI_MODEL];
  const allowed = [env.OPENAI_MODEL, ...list.filter((m) => m !== env.OPENAI_MODEL)];
  const set = new Set(allowed);
  return {
    allowed,
    defaultModel: env.OPENAI_MODEL,
    isAllowed: (model) => set.has(model),
    effective: (model) => (set.has(model) ? { model, fallback: false } : { model: env.OPENAI_MODEL, fallback: true }),
  };
}
