import { BACKEND_URL, HOOK_SECRET } from '../env.js';

/** The Salesbot handler code declared under `salesbot_designer` in manifest.json. */
export const SALESBOT_HANDLER = 'handler_code';

export function salesbotHandlerUrl(base: string = BACKEND_URL, secret: string = HOOK_SECRET) {
  return `${base.replace(/\/+$/, '')}/salesbot/${encodeURIComponent(secret)}`;
}

/**
 * Salesbot designer "Save": return the bot steps for our block. One `widget_request` step posts the
 * lead, the last client message and the chosen agent to the backend, which answers within 2 s and later
 * continues the bot through `return_url` with the agent's reply.
 */
export function salesbotSteps(handlerCode: string, params: Record<string, unknown> | undefined): string {
  if (handlerCode !== SALESBOT_HANDLER) return JSON.stringify([]);
  const agentRaw = params?.agent_id;
  const agentId = agentRaw === undefined || agentRaw === null || String(agentRaw).trim() === '' ? null : Number(agentRaw);
  const message = typeof params?.message === 'string' && params.message.trim() ? params.message : '{{message_text}}';
  return JSON.stringify([
    {
      question: [
        {
          handler: 'widget_request',
          params: {
            url: salesbotHandlerUrl(),
            data: {
              lead_id: '{{lead.id}}',
              contact_id: '{{contact.id}}',
              message,
              agent_id: Number.isInteger(agentId) && (agentId as number) > 0 ? agentId : null,
            },
          },
        },
      ],
      require: [],
    },
  ]);
}
