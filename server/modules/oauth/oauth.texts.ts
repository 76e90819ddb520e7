import type { Lang } from '../../lib/i18n.js';

/** The install result page, in the language of the person who installs (their browser's). */
export const OAUTH_TEXTS: Record<
  Lang,
  {
    installed: string;
    notInstalled: string;
    connectedTo: string;
    installedMessage: string;
    failedTitle: string;
    failedMessage: string;
    closeOk: string;
    close: string;
    reason: string;
  }
> = {
  en: {
    installed: 'Installed',
    notInstalled: 'Not installed',
    connectedTo: 'Connected to {name}',
    installedMessage: 'The AI agent is installed. We are syncing your pipelines, fields, users, contacts and leads now; the widget shows the progress.',
    failedTitle: 'Installation failed',
    failedMessage:
      'Kommo could not finish installing the AI agent. Try installing it again from the widget settings; if it fails again, send the reason below to your administrator.',
    closeOk: 'You can close this window and return to Kommo.',
    close: 'You can close this window.',
    reason: 'Reason',
  },
  es: {
    installed: 'Instalado',
    notInstalled: 'No instalado',
    connectedTo: 'Conectado a {name}',
    installedMessage: 'El agente de IA está instalado. Estamos sincronizando sus embudos, campos, usuarios, contactos y leads; el widget muestra el progreso.',
    failedTitle: 'La instalación falló',
    failedMessage:
      'Kommo no pudo terminar de instalar el agente de IA. Vuelva a instalarlo desde la configuración del widget; si falla de nuevo, envíe el motivo de abajo a su administrador.',
    closeOk: 'Puede cerrar esta ventana y volver a Kommo.',
    close: 'Puede cerrar esta ventana.',
    reason: 'Motivo',
  },
  pt: {
    installed: 'Instalado',
    notInstalled: 'Não instalado',
    connectedTo: 'Conectado a {name}',
    installedMessage: 'O agente de IA está instalado. Estamos sincronizando seus funis, campos, usuários, contatos e leads; o widget mostra o progresso.',
    failedTitle: 'A instalação falhou',
    failedMessage:
      'O Kommo não conseguiu concluir a instalação do agente de IA. Instale-o novamente nas configurações do widget; se falhar de novo, envie o motivo abaixo ao seu administrador.',
    closeOk: 'Você pode fechar esta janela e voltar ao Kommo.',
    close: 'Você pode fechar esta janela.',
    reason: 'Motivo',
  },
  ru: {
    installed: 'Установлено',
    notInstalled: 'Не установлено',
    connectedTo: 'Подключено к {name}',
    installedMessage:
      'ИИ-агент установлен. Сейчас мы синхронизируем ваши воронки, поля, пользователей, контакты и сделки; виджет показывает ход синхронизации.',
    failedTitle: 'Установка не удалась',
    failedMessage:
      'Kommo не смог завершить установку ИИ-агента. Установите его снова в настройках виджета; если снова не получится, отправьте причину ниже администратору.',
    closeOk: 'Это окно можно закрыть и вернуться в Kommo.',
    close: 'Это окно можно закрыть.',
    reason: 'Причина',
  },
};
