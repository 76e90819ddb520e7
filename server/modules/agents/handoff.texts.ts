import type { Lang } from '../../lib/lang.js';

interface HandoffTexts {
  brief: (agent: string, reason: string) => string;
  lastClient: (text: string) => string;
  takeOver: string;
  title: (agent: string) => string;
  notifyTitle: (lead: string) => string;
  taskFailed: (error: string) => string;
  /** The reason given when a person hands the lead off from the card without one. */
  manualReason: (user: string) => string;
  returned: string;
  draftActionsOnly: string;
}

/** The handoff's task brief, activity and notification, the card's "Return to agent", and draft notes, in the account's language. */
export const handoffTexts: Record<Lang, HandoffTexts> = {
  en: {
    brief: (agent, reason) => `AI agent "${agent}" handed this lead to you: ${reason}.`,
    lastClient: (text) => `Last client message: "${text}".`,
    takeOver: 'Please take over the conversation.',
    title: (agent) => `${agent} handed the lead to a human`,
    notifyTitle: (lead) => `Lead ${lead} needs you`,
    taskFailed: (error) => ` (The Kommo task could not be created: ${error})`,
    manualReason: (user) => `${user} handed it off from the lead card`,
    returned: 'The lead was returned to the AI agent',
    draftActionsOnly: 'AI draft: CRM actions proposed for approval, with no reply to send',
  },
  es: {
    brief: (agent, reason) => `El agente de IA "${agent}" le pasó este lead: ${reason}.`,
    lastClient: (text) => `Último mensaje del cliente: "${text}".`,
    takeOver: 'Por favor, continúe la conversación.',
    title: (agent) => `${agent} pasó el lead a una persona`,
    notifyTitle: (lead) => `El lead ${lead} le necesita`,
    taskFailed: (error) => ` (No se pudo crear la tarea en Kommo: ${error})`,
    manualReason: (user) => `${user} lo pasó desde la ficha del lead`,
    returned: 'El lead volvió al agente de IA',
    draftActionsOnly: 'Borrador de IA: acciones de CRM propuestas para aprobar, sin respuesta que enviar',
  },
  pt: {
    brief: (agent, reason) => `O agente de IA "${agent}" passou este lead para você: ${reason}.`,
    lastClient: (text) => `Última mensagem do cliente: "${text}".`,
    takeOver: 'Por favor, assuma a conversa.',
    title: (agent) => `${agent} passou o lead para uma pessoa`,
    notifyTitle: (lead) => `O lead ${lead} precisa de você`,
    taskFailed: (error) => ` (Não foi possível criar a tarefa no Kommo: ${error})`,
    manualReason: (user) => `${user} passou pelo cartão do lead`,
    returned: 'O lead voltou para o agente de IA',
    draftActionsOnly: 'Rascunho de IA: ações de CRM propostas para aprovação, sem resposta a enviar',
  },
  ru: {
    brief: (agent, reason) => `ИИ-агент «${agent}» передал вам эту сделку: ${reason}.`,
    lastClient: (text) => `Последнее сообщение клиента: «${text}».`,
    takeOver: 'Пожалуйста, продолжите разговор.',
    title: (agent) => `${agent} передал сделку человеку`,
    notifyTitle: (lead) => `Сделка ${lead} ждёт вас`,
    taskFailed: (error) => ` (Не удалось создать задачу в Kommo: ${error})`,
    manualReason: (user) => `${user} передал(а) её из карточки сделки`,
    returned: 'Сделка возвращена ИИ-агенту',
    draftActionsOnly: 'Черновик ИИ: предложены действия в CRM на одобрение, ответа клиенту нет',
  },
};
