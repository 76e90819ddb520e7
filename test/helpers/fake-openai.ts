import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export const LLM_BASE = 'http://llm.test/v1';

export type FakeReply =
  | { content?: string | null; toolCalls?: { name: string; args: unknown }[] }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { hang: true };

/** The OpenAI chat API at the HTTP boundary (msw): scripted replies, recorded requests. Loopback (the Kommo simulator) passes through. */
export function fakeOpenAI() {
  const script: FakeReply[] = [];
  const requests: any[] = [];
  let n = 0;
  const server = setupServer(
    http.post(`${LLM_BASE}/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as any;
      requests.push(body);
      const next = script.shift() ?? { content: 'Thank you for your message!' };
      if ('hang' in next) await delay('infinite');
      if ('status' in next)
        return HttpResponse.json(next.body ?? { error: { message: 'upstream failure', type: 'server_error' } }, { status: next.status, headers: next.headers });
      const r = next as { content?: string | null; toolCalls?: { name: string; args: unknown }[] };
      const toolCalls = (r.toolCalls ?? []).map((t) => ({
        id: `call_${++n}`,
        type: 'function',
        function: { name: t.name, arguments: typeof t.args === 'string' ? t.args : JSON.stringify(t.args) },
      }));
      return HttpResponse.json({
        id: `chatcmpl-${n}`,
        object: 'chat.completion',
        created: 1,
        model: body.model,
        choices: [
          {
            index: 0,
            finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
            message: { role: 'assistant', content: r.content ?? null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
          },
        ],
        usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
      });
    }),
  );
  return {
    server,
    requests,
    reply: (...r: FakeReply[]) => void script.push(...r),
    listen: () =>
      server.listen({
        onUnhandledRequest(req, print) {
          if (new URL(req.url).hostname === '127.0.0.1') return;
          print.error();
        },
      }),
    reset() {
      script.length = 0;
      requests.length = 0;
    },
  };
}
