import { fill, type Lang } from '../../lib/i18n.js';

/** The notification email around its items (greeting, intro, footer link, subject), in the account's language. */
export const NOTIFY_TEXTS: Record<
  Lang,
  {
    hello: string;
    introOne: string;
    introMany: string;
    footer: string;
    footerLink: string;
    subjectMany: string;
    leadRef: string;
    team: string;
    reauthTitle: string;
    reauthBody: string;
  }
> = {
  en: {
    hello: 'Hello {name},',
    introOne: 'Something needs your attention in Kommo:',
    introMany: '{count} things need your attention in Kommo:',
    footer: 'Turn these emails off in the AI Agent widget:',
    footerLink: 'Notifications',
    subjectMany: '{count} new notifications: {first} and more',
    leadRef: ' (lead #{id})',
    team: 'team',
    reauthTitle: 'The Kommo connection needs to be renewed',
    reauthBody: 'Kommo refused our access ({reason}). An administrator must reconnect the AI Agent integration; agents are paused until then.',
  },
  es: {
    hello: 'Hola, {name}:',
    introOne: 'Algo requiere su atención en Kommo:',
    introMany: '{count} asuntos requieren su atención en Kommo:',
    footer: 'Desactive estos correos en el widget del Agente de IA:',
    footerLink: 'Notificaciones',
    subjectMany: '{count} notificaciones nuevas: {first} y más',
    leadRef: ' (lead n.º {id})',
    team: 'equipo',
    reauthTitle: 'Hay que renovar la conexión con Kommo',
    reauthBody:
      'Kommo rechazó nuestro acceso ({reason}). Un administrador debe volver a conectar la integración del Agente de IA; los agentes están en pausa hasta entonces.',
  },
  pt: {
    hello: 'Olá, {name},',
    introOne: 'Algo precisa da sua atenção no Kommo:',
    introMany: '{count} itens precisam da sua atenção no Kommo:',
    footer: 'Desative estes e-mails no widget do Agente de IA:',
    footerLink: 'Notificações',
    subjectMany: '{count} novas notificações: {first} e mais',
    leadRef: ' (lead nº {id})',
    team: 'equipe',
    reauthTitle: 'É preciso renovar a conexão com o Kommo',
    reauthBody: 'O Kommo recusou nosso acesso ({reason}). Um administrador precisa reconectar a integração do Agente de IA; os agentes ficam pausados até lá.',
  },
  ru: {
    hello: 'Здравствуйте, {name}!',
    introOne: 'В Kommo требуется ваше внимание:',
    introMany: 'В Kommo ждут вашего внимания: {count}',
    footer: 'Отключить эти письма можно в виджете ИИ-агента:',
    footerLink: 'Уведомления',
    subjectMany: 'Новых уведомлений: {count} — {first} и другие',
    leadRef: ' (сделка №{id})',
    team: 'команда',
    reauthTitle: 'Нужно обновить подключение к Kommo',
    reauthBody: 'Kommo отклонил наш доступ ({reason}). Администратор должен заново подключить интеграцию ИИ-агента; до тех пор агенты приостановлены.',
  },
};

export const notifyText = (lang: Lang, key: keyof (typeof NOTIFY_TEXTS)['en'], vars: Record<string, string | number> = {}) =>
  fill(NOTIFY_TEXTS[lang][key], vars);
