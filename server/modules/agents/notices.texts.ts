import { fill, type Lang } from '../../lib/i18n.js';
import type { LlmPermanentReason } from '../../llm/llm.errors.js';

/**
 * What the admins are told by email when the agents stop (the month's AI budget used up, the AI service
 * refusing us), in the account's language. `{used}`, `{limit}` and `{resetsAt}` are figures and a date.
 */
export const NOTICE_TEXTS: Record<
  Lang,
  { budgetTitle: string; budgetBody: string; llmTitle: string; llmBody: string; insufficient_quota: string; invalid_api_key: string }
> = {
  en: {
    budgetTitle: "The AI agents reached this month's budget",
    budgetBody:
      'This Kommo account used {used} of its {limit} monthly AI budget, so the agents stopped replying. They start again on {resetsAt}, or sooner if an admin raises the limit (AI agents › Usage).',
    llmTitle: 'The AI agents cannot reply: the AI service refuses our requests',
    llmBody:
      '{problem}. No retry can fix this: the operator of the AI agent service must add credit or replace the key. Until then each lead that writes is handed to its responsible user.',
    insufficient_quota: 'The AI service refused the request: its account has no credit left',
    invalid_api_key: 'The AI service refused the request: the API key is invalid or revoked',
  },
  es: {
    budgetTitle: 'Los agentes de IA alcanzaron el presupuesto de este mes',
    budgetBody:
      'Esta cuenta de Kommo usó {used} de su presupuesto mensual de IA de {limit}, así que los agentes dejaron de responder. Vuelven a empezar el {resetsAt}, o antes si un administrador sube el límite (Agentes de IA › Consumo).',
    llmTitle: 'Los agentes de IA no pueden responder: el servicio de IA rechaza nuestras solicitudes',
    llmBody:
      '{problem}. Ningún reintento lo soluciona: el operador del servicio de agentes de IA debe añadir crédito o cambiar la clave. Hasta entonces, cada lead que escriba pasa a su usuario responsable.',
    insufficient_quota: 'El servicio de IA rechazó la solicitud: su cuenta no tiene crédito',
    invalid_api_key: 'El servicio de IA rechazó la solicitud: la clave de API no es válida o fue revocada',
  },
  pt: {
    budgetTitle: 'Os agentes de IA atingiram o orçamento deste mês',
    budgetBody:
      'Esta conta do Kommo usou {used} do orçamento mensal de IA de {limit}, então os agentes pararam de responder. Eles voltam em {resetsAt}, ou antes se um administrador aumentar o limite (Agentes de IA › Consumo).',
    llmTitle: 'Os agentes de IA não conseguem responder: o serviço de IA recusa nossas solicitações',
    llmBody:
      '{problem}. Nenhuma nova tentativa resolve: o operador do serviço de agentes de IA precisa adicionar crédito ou trocar a chave. Até lá, cada lead que escrever vai para o usuário responsável.',
    insufficient_quota: 'O serviço de IA recusou a solicitação: a conta dele está sem crédito',
    invalid_api_key: 'O serviço de IA recusou a solicitação: a chave de API é inválida ou foi revogada',
  },
  ru: {
    budgetTitle: 'ИИ-агенты исчерпали бюджет этого месяца',
    budgetBody:
      'Этот аккаунт Kommo израсходовал {used} из месячного бюджета ИИ {limit}, поэтому агенты перестали отвечать. Они снова начнут {resetsAt} или раньше, если администратор поднимет лимит (ИИ-агенты › Расход).',
    llmTitle: 'ИИ-агенты не могут отвечать: сервис ИИ отклоняет наши запросы',
    llmBody:
      '{problem}. Повторные попытки не помогут: оператор сервиса ИИ-агентов должен пополнить счёт или заменить ключ. До тех пор каждая сделка, по которой пишет клиент, передаётся ответственному.',
    insufficient_quota: 'Сервис ИИ отклонил запрос: на его счёте нет средств',
    invalid_api_key: 'Сервис ИИ отклонил запрос: ключ API недействителен или отозван',
  },
};

export const noticeText = (lang: Lang, key: keyof (typeof NOTICE_TEXTS)['en'], vars: Record<string, string | number> = {}) =>
  fill(NOTICE_TEXTS[lang][key], vars);
export const llmProblem = (lang: Lang, reason: LlmPermanentReason) => NOTICE_TEXTS[lang][reason];
