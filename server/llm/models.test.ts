import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../env.js';
import { modelPolicy } from './models.js';

const base = { DATABASE_PATH: ':memory:', ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64') };

describe('the model allowlist and the LLM limits in the environment', () => {
  it('defaults to OPENAI_MODEL alone; OPENAI_MODELS lists more, default first', () => {
    const alone = modelPolicy(parseEnv(base));
    expect(alone.allowed).toEqual(['gpt-4o-mini']);
    const list = modelPolicy(parseEnv({ ...base, OPENAI_MODEL: 'gpt-4.1-mini', OPENAI_MODELS: 'gpt-4o, gpt-4.1-mini,,gpt-4o' }));
    expect(list.allowed).toEqual(['gpt-4.1-mini', 'gpt-4o']);
    expect(list.effective('gpt-4o')).toEqual({ model: 'gpt-4o', fallback: false });
    expect(list.effective('gpt-3.5-turbo')).toEqual({ model: 'gpt-4.1-mini', fallback: true });
  });

  it('refuses OPENAI_MODELS without OPENAI_MODEL, and bad limits, naming the variable', () => {
    expect(() => parseEnv({ ...base, OPENAI_MODELS: 'gpt-4o,gpt-4.1' })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, OPENAI_MODELS: 'gpt-4o,gpt-4.1' })).toThrow(/OPENAI_MODELS: must include OPENAI_MODEL \(gpt-4o-mini\)/);
    expect(() => parseEnv({ ...base, LLM_MONTHLY_BUDGET_USD: '-1', LLM_TURN_MAX_ACTIONS: '0' })).toThrow(
      /LLM_MONTHLY_BUDGET_USD: expected US dollars, 0 \(no limit\) or more[\s\S]*LLM_TURN_MAX_ACTIONS: expected a number of actions, 1-50/,
    );
  });

  it('reads the budgets and the per-turn caps, with their defaults', () => {
    const env = parseEnv(base);
    expect({
      usd: env.LLM_MONTHLY_BUDGET_USD,
      tokens: env.LLM_MONTHLY_BUDGET_TOKENS,
      client: env.LLM_TURN_MAX_CLIENT_CHARS,
      knowledge: env.LLM_TURN_MAX_KNOWLEDGE_CHARS,
      script: env.LLM_TURN_MAX_SCRIPT_CHARS,
      actions: env.LLM_TURN_MAX_ACTIONS,
      playground: env.LLM_PLAYGROUND_PER_MINUTE,
    }).toEqual({ usd: 50, tokens: 0, client: 6000, knowledge: 6000, script: 8000, actions: 5, playground: 10 });
    expect(parseEnv({ ...base, LLM_MONTHLY_BUDGET_USD: '12.5' }).LLM_MONTHLY_BUDGET_USD).toBe(12.5);
  });
});
