import { accountLanguage, fill, type Lang } from '../../lib/i18n.js';

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
    draftReply: string;
    approvedNote: string;
    reasonKeyword: string;
    reasonAfterTurns: string;
    reasonModelFailed: string;
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
    draftReply: 'AI draft reply: {text}',
    approvedNote: 'Approved AI reply — send this to the client: {text}',
    reasonKeyword: 'the client wrote "{keyword}"',
    reasonAfterTurns: 'the agent already answered {turns} times on this lead',
    reasonModelFailed: 'the AI model could not answer after {attempts} attempts ({error})',
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
    draftReply: 'Borrador de respuesta de IA: {text}',
    approvedNote: 'Respuesta de IA aprobada — envíela al cliente: {text}',
    reasonKeyword: 'el cliente escribió «{keyword}»',
    reasonAfterTurns: 'el agente ya respondió {turns} veces en este lead',
    reasonModelFailed: 'el modelo de IA no pudo responder tras {attempts} intentos ({error})',
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
    draftReply: 'Rascunho de resposta de IA: {text}',
    approvedNote: 'Resposta de IA aprovada — envie ao cliente: {text}',
    reasonKeyword: 'o cliente escreveu «{keyword}»',
    reasonAfterTurns: 'o agente já respondeu {turns} vezes neste lead',
    reasonModelFailed: 'o modelo de IA não conseguiu responder após {attempts} tentativas ({error})',
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
    draftReply: 'Черновик ответа ИИ: {text}',
    approvedNote: 'Одобренный ответ ИИ — отправьте его клиенту: {text}',
    reasonKeyword: 'клиент написал «{keyword}»',
    reasonAfterTurns: 'агент уже ответил {turns} раз по этой сделке',
    reasonModelFailed: 'модель ИИ не смогла ответить после {attempts} попыток ({error})',
  },
};

/** The account's effective language (override ?? Kommo's ?? English). */
export const accountLang = accountLanguage;

/** One handoff text in the account's language, its `{placeholders}` filled. */
export function handoffText(lang: Lang, key: keyof (typeof HANDOFF_TEXTS)['en'], vars: Record<string, string | number> = {}): string {
  return fill(HANDOFF_TEXTS[lang][key], vars);
}

/** The handoff reasons the brief words in the account's language. */
export type HandoffReasonKey = 'reasonKeyword' | 'reasonAfterTurns' | 'reasonModelFailed';
