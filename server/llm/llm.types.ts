/** The model behind the agents, as the reply pipeline sees it: one chat call with tools, no retries of its own. */
export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface LlmToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model produced; it may be malformed. */
  arguments: string;
}

export interface LlmTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  parameters: Record<string, unknown>;
}

export interface LlmRequest {
  model: string;
  temperature: number;
  messages: LlmMessage[];
  tools?: LlmTool[];
  signal?: AbortSignal;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface LlmResponse {
  content: string | null;
  toolCalls: LlmToolCall[];
  usage: LlmUsage;
  model: string;
}

export interface LlmClient {
  /** False until OPENAI_API_KEY is set: `chat` then throws LlmNotConfiguredError. */
  readonly configured: boolean;
  chat(req: LlmRequest): Promise<LlmResponse>;
}
