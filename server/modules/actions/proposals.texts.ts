import type { Lang } from '../../lib/lang.js';

/** What the action log says about draft-mode proposals (activity titles), in the account's language. */
export const proposalTexts: Record<Lang, { proposed: string; removed: string; discarded: string }> = {
  en: {
    proposed: 'Agent action proposed with its draft: {summary}',
    removed: 'Proposed action removed before approval: {summary}',
    discarded: 'Proposed action discarded with its draft: {summary}',
  },
  es: {
    proposed: 'Acción del agente propuesta con su borrador: {summary}',
    removed: 'Acción propuesta eliminada antes de la aprobación: {summary}',
    discarded: 'Acción propuesta descartada junto con su borrador: {summary}',
  },
  pt: {
    proposed: 'Ação do agente proposta com o rascunho: {summary}',
    removed: 'Ação proposta removida antes da aprovação: {summary}',
    discarded: 'Ação proposta descartada com o rascunho: {summary}',
  },
  ru: {
    proposed: 'Действие агента предложено вместе с черновиком: {summary}',
    removed: 'Предложенное действие удалено до одобрения: {summary}',
    discarded: 'Предложенное действие отменено вместе с черновиком: {summary}',
  },
};

export const proposalText = (lang: Lang, key: keyof (typeof proposalTexts)['en'], summary: string) => proposalTexts[lang][key].replace('{summary}', summary);
