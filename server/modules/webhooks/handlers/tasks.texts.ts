import { fill, type Lang } from '../../../lib/i18n.js';

/** The email a Kommo user gets when a task is assigned to them, in the account's language. */
export const TASK_NOTICE_TEXTS: Record<Lang, { title: string; body: string; due: string }> = {
  en: { title: 'New task: {text}', body: 'A task was assigned to you in Kommo: {text}{due}', due: ' (due {at} UTC)' },
  es: { title: 'Nueva tarea: {text}', body: 'Se le asignó una tarea en Kommo: {text}{due}', due: ' (vence el {at} UTC)' },
  pt: { title: 'Nova tarefa: {text}', body: 'Uma tarefa foi atribuída a você no Kommo: {text}{due}', due: ' (prazo {at} UTC)' },
  ru: { title: 'Новая задача: {text}', body: 'Вам поставлена задача в Kommo: {text}{due}', due: ' (срок {at} UTC)' },
};

export const taskNoticeText = (lang: Lang, key: keyof (typeof TASK_NOTICE_TEXTS)['en'], vars: Record<string, string | number> = {}) =>
  fill(TASK_NOTICE_TEXTS[lang][key], vars);
