import type { Lang } from '../../lib/i18n.js';

/**
 * The note each email we sent leaves in the lead, in the account's language. `Message-ID:` stays as it is
 * in every language: a retried job finds its own note by it.
 */
export const MAIL_NOTE_TEXTS: Record<Lang, { service: string; sent: string; from: string; to: string; cc: string; subject: string }> = {
  en: { service: 'AI Agent email', sent: 'Email sent', from: 'From', to: 'To', cc: 'Cc', subject: 'Subject' },
  es: { service: 'Correo del Agente de IA', sent: 'Correo enviado', from: 'De', to: 'Para', cc: 'CC', subject: 'Asunto' },
  pt: { service: 'E-mail do Agente de IA', sent: 'E-mail enviado', from: 'De', to: 'Para', cc: 'Cópia', subject: 'Assunto' },
  ru: { service: 'Почта ИИ-агента', sent: 'Письмо отправлено', from: 'От', to: 'Кому', cc: 'Копия', subject: 'Тема' },
};
