/** The simulator's chat state (messages, Salesbots and their runs): plain data, kept apart from the chat logic in chats.ts. */
export interface ChatMessage {
  id: string;
  chatId: string;
  talkId: number;
  leadId: number;
  contactId: number | null;
  direction: 'incoming' | 'outgoing';
  author: 'client' | 'bot';
  origin: string;
  text: string;
  /** Sim seconds. */
  createdAt: number;
  /** For a bot message: the Salesbot continue it came from. */
  salesbot?: { botId: number; continueId: string };
}

/** A Salesbot whose first step is the widget's `widget_request` (what the widget's designer Save returns). */
export interface Salesbot {
  id: number;
  name: string;
  /** Runs on incoming messages of leads in this stage; absent: every lead. */
  stage?: { pipelineId: number; statusId: number };
  widgetRequest: { url: string; data: Record<string, unknown> };
}

export interface SalesbotRun {
  botId: number;
  continueId: string;
  leadId: number;
  chatId: string;
  talkId: number;
  contactId: number | null;
  origin: string;
  status: 'waiting' | 'continued';
  startedAt: number;
}

/** What one outbound call from the simulator got back. */
export interface Delivery {
  url: string;
  status: number | null;
  error?: string;
}

export interface ChatsState {
  messages: ChatMessage[];
  salesbots: Map<number, Salesbot>;
  /** Keyed by continue id. */
  runs: Map<string, SalesbotRun>;
  seq: { salesbot: number; run: number; talk: number };
  /** Runs started through `POST /api/v4/bots/{id}/run` (not by a client message), in order. */
  launches: { botId: number; leadId: number; continueId: string; at: number }[];
  /** The integration's credentials, for signing the widget_request token of a launched bot. */
  integration: { clientId: string; clientSecret: string } | null;
}

export const createChatsState = (): ChatsState => ({
  messages: [],
  salesbots: new Map(),
  runs: new Map(),
  seq: { salesbot: 1, run: 1, talk: 5001 },
  launches: [],
  integration: null,
});
