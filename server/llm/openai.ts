import OpenAI, { APIConnectionTimeoutError, AuthenticationError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { LlmError, LlmNotConfiguredError, LlmPermanentError, LlmRateLimitedError, LlmTimeoutError } from './llm.errors.js';
import type { LlmClient, LlmMessage, LlmRequest, LlmResponse } from './llm.types.js';

export interface OpenAiLlmConfig {
  apiKey?: string;
  baseURL?: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/**
 * The OpenAI-compatible chat API. `maxRetries: 0` and an explicit timeout: the job queue is the one
 * retry layer (house style §7).
 */
export function createOpenAiLlm(cfg: OpenAiLlmConfig): LlmClient {
  const client = cfg.apiKey
    ? new OpenAI({ apiKey: cfg.apiKey, baseURL: cfg.baseURL, maxRetries: 0, timeout: cfg.timeoutMs, fetch: (url, init) => cfg.fetch(url, init) })
    : null;
  return {
    configured: client !== null,
    async chat(req: LlmRequest): Promise<LlmResponse> {
      if (!client) throw new LlmNotConfiguredError();
      try {
        const res = await client.chat.completions.create(
          {
            model: req.model,
            temperature: req.temperature,
            messages: req.messages.map(toOpenAi),
            ...(req.tools?.length ? { tools: req.tools.map(toTool), tool_choice: 'auto' as const } : {}),
          },
          { signal: req.signal, maxRetries: 0, timeout: cfg.timeoutMs },
        );
        const msg = res.choices[0]?.message;
        return {
          content: msg?.content ?? null,
          toolCalls: (msg?.tool_calls ?? []).flatMap((t) =>
            t.type === 'function' ? [{ id: t.id, name: t.function.name, arguments: t.function.arguments }] : [],
          ),
          usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: res.usage?.completion_tokens ?? 0 },
          model: res.model ?? req.model,
        };
      } catch (err) {
        throw mapError(err, cfg.timeoutMs);
      }
    },
  };
}

function mapError(err: unknown, timeoutMs: number): Error {
  // A 429 is usually "slow down", but `insufficient_quota` (no credit left) comes as a 429 too and never clears by waiting.
  if (err instanceof RateLimitError && (err.code === 'insufficient_quota' || err.type === 'insufficient_quota')) {
    return new LlmPermanentError('insufficient_quota', `429 ${err.code ?? err.type}`, { cause: err });
  }
  if (err instanceof AuthenticationError) return new LlmPermanentError('invalid_api_key', `401 ${err.code ?? 'unauthorized'}`, { cause: err });
  if (err instanceof RateLimitError) {
    const h = err.headers;
    const ms = Number(h?.get('retry-after-ms'));
    const s = Number(h?.get('retry-after'));
    const retryAfterMs = Number.isFinite(ms) && ms > 0 ? ms : Number.isFinite(s) && s > 0 ? s * 1000 : 20_000;
    return new LlmRateLimitedError(Math.min(retryAfterMs, 10 * 60_000), { cause: err });
  }
  if (err instanceof APIConnectionTimeoutError) return new LlmTimeoutError(timeoutMs, { cause: err });
  if (err instanceof OpenAI.APIError)
    return new LlmError(`The language model API failed${err.status ? ` (${err.status})` : ''}: ${err.message}`.slice(0, 500), { cause: err });
  if (err instanceof Error) return new LlmError(`The language model call failed: ${err.message}`.slice(0, 500), { cause: err });
  return new LlmError('The language model call failed');
}

function toOpenAi(m: LlmMessage): ChatCompletionMessageParam {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  if (m.role === 'assistant') {
    return {
      role: 'assistant',
      content: m.content,
      ...(m.toolCalls?.length
        ? { tool_calls: m.toolCalls.map((t) => ({ id: t.id, type: 'function' as const, function: { name: t.name, arguments: t.arguments } })) }
        : {}),
    };
  }
  return { role: m.role, content: m.content };
}

function toTool(t: { name: string; description: string; parameters: Record<string, unknown> }): ChatCompletionTool {
  return { type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } };
}
