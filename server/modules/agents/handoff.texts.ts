import { fill, type Lang, langOf } from '../../lib/i18n.js';

/**
 * The handoff's task brief, activity and notification, the card's "Return to agent", and the note of a
 * draft of actions only, in the account's language (the `language` account setting; English by default).
 */
export const HANDOFF_TEXTS: Record<
  Lang,
  {
    brief: string;
    lastClient: string;
    takeOver: string;
    title: string;
    notifyTitle: string;
    taskFailed: string;
    manualReason: string;
    returned: string;
    draftActionsOnly: string;
  }
> = {
  en: {
    brief: 'AI agent "{agent}" handed this lead to you: {reason}.',
    lastClient: 'Last client message: "{text}".',
    takeOver: 'Please take over the conversation.',
    title: '{agent} handed the lead to a human',
    notifyTitle: 'Lead {lead} needs you',
    taskFailed: ' (The Kommo task could not be created: {error})',
    manualReason: '{user} handed it off from the lead card',
    returned: 'The lead was returned to the AI agent',
    draftActionsOnly: 'AI draft: CRM actions proposed for approval, with no reply to send',
  },
  es: {
    brief: 'El agente de IA "{agent}" le pasó este lead: {reason}.',
    lastClient: 'Último mensaje del cliente: "{text}".',
    takeOver: 'Por favor, continúe la conversación.',
    title: '{agent} pasó el lead a una persona',
    notifyTitle: 'El lead {lead} le necesita',
    taskFailed: ' (No se pudo crear la tarea en Kommo: {error})',
    manualReason: '{user} lo pasó desde la ficha del lead',
    returned: 'El lead volvió al agente de IA',
    draftActionsOnly: 'Borrador de IA: acciones de CRM propuestas para aprobar, sin respuesta que enviar',
  },
  pt: {
    brief: 'O agente de IA "{agent}" passou este lead para você: {reason}.',
    lastClient: 'Última mensagem do cliente: "{text}".',
    takeOver: 'Por favor, assuma a conversa.',
    title: '{agent} passou o lead para uma pessoa',
    notifyTitle: 'O lead {lead} precisa de você',
    taskFailed: ' (Não foi possível criar a tarefa no Kommo: {error})',
    manualReason: '{user} passou pelo cartão do lead',
    returned: 'O lead voltou para o agente de IA',
    draftActionsOnly: 'Rascunho de IA: ações de CRM propostas para aprovação, sem resposta a enviar',
  },
  ru: {
    brief: 'ИИ-агент «{agent}» передал вам эту сделку: {reason}.',
    lastClient: 'Последнее сообщение клиента: «{text}».',
    takeOver: 'Пожалуйста, продолжите разговор.',
    title: '{agent} передал сделку человеку',
    notifyTitle: 'Сделка {lead} ждёт вас',
    taskFailed: ' (Не удалось создать задачу в Kommo: {error})',
    manualReason: '{user} передал(а) её из карточки сделки',
    returned: 'Сделка возвращена ИИ-агенту',
    draftActionsOnly: 'Черновик ИИ: предложены действия в CRM на одобрение, ответа клиенту нет',
  },
};

/** The account's language from its settings (`language`, e.g. "pt-BR"), English when unset. */
export const accountLang = (settings: Record<string, unknown>): Lang => langOf(typeof settings.language === 'string' ? settings.language : null);

/** One handoff text in the account's language, its `{placeholders}` filled. */
export function handoffText(lang: Lang, key: keyof (typeof HANDOFF_TEXTS)['en'], vars: Record<string, string | number> = {}): string {
  return fill(HANDOFF_TEXTS[lang][key], vars);
}
