import { accountLanguage, fill, type Lang } from '../../lib/i18n.js';

/** What the action log says about draft-mode proposals (activity titles), in the account's language. */
export const PROPOSAL_TEXTS: Record<Lang, { proposed: string; removed: string; discarded: string; taskCancelled: string }> = {
  en: {
    proposed: 'Agent action proposed with its draft: {summary}',
    removed: 'Proposed action removed before approval: {summary}',
    discarded: 'Proposed action discarded with its draft: {summary}',
    taskCancelled: 'Cancelled: the AI agent action was undone',
  },
  es: {
    proposed: 'Acción del agente propuesta con su borrador: {summary}',
    removed: 'Acción propuesta eliminada antes de la aprobación: {summary}',
    discarded: 'Acción propuesta descartada junto con su borrador: {summary}',
    taskCancelled: 'Cancelada: se deshizo la acción del agente de IA',
  },
  pt: {
    proposed: 'Ação do agente proposta com o rascunho: {summary}',
    removed: 'Ação proposta removida antes da aprovação: {summary}',
    discarded: 'Ação proposta descartada com o rascunho: {summary}',
    taskCancelled: 'Cancelada: a ação do agente de IA foi desfeita',
  },
  ru: {
    proposed: 'Действие агента предложено вместе с черновиком: {summary}',
    removed: 'Предложенное действие удалено до одобрения: {summary}',
    discarded: 'Предложенное действие отменено вместе с черновиком: {summary}',
    taskCancelled: 'Отменено: действие ИИ-агента откатили',
  },
};

export const proposalText = (lang: Lang, key: keyof (typeof PROPOSAL_TEXTS)['en'], summary: string) => fill(PROPOSAL_TEXTS[lang][key], { summary });

/** The account's effective language (override ?? Kommo's ?? English). */
export const accountLang = accountLanguage;
