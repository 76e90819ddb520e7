import { fill, type Lang } from '../../lib/i18n.js';

/**
 * What the knowledge sources tell people: API errors (in the language of the request's Accept-Language)
 * and the reason a URL import failed (in the language of the admin who started it). `{kind}` is an
 * address class (loopback, private, metadata…), a technical term kept as it is in every language.
 */
type KnowledgeText =
  | 'invalid'
  | 'notAgents'
  | 'urlScheme'
  | 'urlSchemeHttp'
  | 'urlCredentials'
  | 'urlInternal'
  | 'urlPort'
  | 'urlUnresolvable'
  | 'fileType'
  | 'fileTooLarge'
  | 'fileNotFormat'
  | 'fileBroken'
  | 'fileEmpty'
  | 'fileBudget'
  | 'fileTooLong'
  | 'fileUnzipped'
  | 'pending'
  | 'faqOnly'
  | 'faqContent'
  | 'pageStatus'
  | 'pageTooLarge'
  | 'pageType'
  | 'pageRedirects'
  | 'pageTimeout'
  | 'pageUnreachable'
  | 'pageEmpty'
  | 'pageTooLong';

export const KNOWLEDGE_TEXTS: Record<Lang, Record<KnowledgeText, string>> = {
  en: {
    invalid: 'The knowledge source cannot be used: {field} {message}',
    notAgents: 'names agents that do not exist in this account: {ids}',
    urlScheme: 'must be an https:// URL',
    urlSchemeHttp: 'must be an http:// or https:// URL',
    urlCredentials: 'must not contain a user name or password',
    urlInternal: 'cannot be imported: {host} is a {kind} address',
    urlPort: 'cannot be imported: only port 443 is allowed',
    urlUnresolvable: 'cannot be imported: {host} could not be found',
    fileType: 'must be a .pdf, .docx, .csv or .xlsx file',
    fileTooLarge: 'is larger than {kb} KB',
    fileNotFormat: 'cannot be read: the file is not a {format} file',
    fileBroken: 'cannot be read: the {format} file is broken',
    fileEmpty: 'cannot be read: the file contains no text (a scanned PDF needs OCR first)',
    fileBudget: 'cannot be read: reading it took longer than {ms} ms',
    fileTooLong: 'cannot be read: the file has more than {max} characters of text',
    fileUnzipped: 'cannot be read: the file unpacks to more than {mb} MB',
    pending: 'Knowledge entry {id} is still being imported; edit it when the import has finished',
    faqOnly: 'can only be set on an FAQ entry',
    faqContent: 'of an FAQ entry is its question and answer',
    pageStatus: 'the page answered {status}',
    pageTooLarge: 'the page is larger than {bytes} bytes',
    pageType: 'the page is {type}, not HTML or text',
    pageRedirects: 'the page redirects more than {n} times',
    pageTimeout: 'the page did not answer within {ms} ms',
    pageUnreachable: 'the page could not be reached ({reason})',
    pageEmpty: 'the page has no text',
    pageTooLong: 'the page has more than {max} characters of text',
  },
  es: {
    invalid: 'La fuente de conocimiento no se puede usar: {field} {message}',
    notAgents: 'menciona agentes que no existen en esta cuenta: {ids}',
    urlScheme: 'debe ser una URL https://',
    urlSchemeHttp: 'debe ser una URL http:// o https://',
    urlCredentials: 'no debe contener usuario ni contraseña',
    urlInternal: 'no se puede importar: {host} es una dirección {kind}',
    urlPort: 'no se puede importar: solo se permite el puerto 443',
    urlUnresolvable: 'no se puede importar: no se encontró {host}',
    fileType: 'debe ser un archivo .pdf, .docx, .csv o .xlsx',
    fileTooLarge: 'supera los {kb} KB',
    fileNotFormat: 'no se puede leer: el archivo no es un {format}',
    fileBroken: 'no se puede leer: el archivo {format} está dañado',
    fileEmpty: 'no se puede leer: el archivo no contiene texto (un PDF escaneado necesita OCR antes)',
    fileBudget: 'no se puede leer: leerlo tardó más de {ms} ms',
    fileTooLong: 'no se puede leer: el archivo tiene más de {max} caracteres de texto',
    fileUnzipped: 'no se puede leer: el archivo descomprimido ocupa más de {mb} MB',
    pending: 'La entrada {id} aún se está importando; edítela cuando termine la importación',
    faqOnly: 'solo se puede indicar en una entrada de preguntas frecuentes',
    faqContent: 'de una entrada de preguntas frecuentes es su pregunta y su respuesta',
    pageStatus: 'la página respondió {status}',
    pageTooLarge: 'la página ocupa más de {bytes} bytes',
    pageType: 'la página es {type}, no HTML ni texto',
    pageRedirects: 'la página redirige más de {n} veces',
    pageTimeout: 'la página no respondió en {ms} ms',
    pageUnreachable: 'no se pudo acceder a la página ({reason})',
    pageEmpty: 'la página no tiene texto',
    pageTooLong: 'la página tiene más de {max} caracteres de texto',
  },
  pt: {
    invalid: 'A fonte de conhecimento não pode ser usada: {field} {message}',
    notAgents: 'menciona agentes que não existem nesta conta: {ids}',
    urlScheme: 'deve ser uma URL https://',
    urlSchemeHttp: 'deve ser uma URL http:// ou https://',
    urlCredentials: 'não deve conter usuário nem senha',
    urlInternal: 'não pode ser importada: {host} é um endereço {kind}',
    urlPort: 'não pode ser importada: só a porta 443 é permitida',
    urlUnresolvable: 'não pode ser importada: {host} não foi encontrado',
    fileType: 'deve ser um arquivo .pdf, .docx, .csv ou .xlsx',
    fileTooLarge: 'tem mais de {kb} KB',
    fileNotFormat: 'não pode ser lido: o arquivo não é um {format}',
    fileBroken: 'não pode ser lido: o arquivo {format} está corrompido',
    fileEmpty: 'não pode ser lido: o arquivo não contém texto (um PDF digitalizado precisa de OCR antes)',
    fileBudget: 'não pode ser lido: a leitura levou mais de {ms} ms',
    fileTooLong: 'não pode ser lido: o arquivo tem mais de {max} caracteres de texto',
    fileUnzipped: 'não pode ser lido: o arquivo descompactado ocupa mais de {mb} MB',
    pending: 'A entrada {id} ainda está sendo importada; edite-a quando a importação terminar',
    faqOnly: 'só pode ser definido numa entrada de perguntas frequentes',
    faqContent: 'de uma entrada de perguntas frequentes é a sua pergunta e resposta',
    pageStatus: 'a página respondeu {status}',
    pageTooLarge: 'a página tem mais de {bytes} bytes',
    pageType: 'a página é {type}, não HTML nem texto',
    pageRedirects: 'a página redireciona mais de {n} vezes',
    pageTimeout: 'a página não respondeu em {ms} ms',
    pageUnreachable: 'não foi possível acessar a página ({reason})',
    pageEmpty: 'a página não tem texto',
    pageTooLong: 'a página tem mais de {max} caracteres de texto',
  },
  ru: {
    invalid: 'Источник знаний нельзя использовать: {field} {message}',
    notAgents: 'содержит агентов, которых нет в этом аккаунте: {ids}',
    urlScheme: 'должен быть адресом https://',
    urlSchemeHttp: 'должен быть адресом http:// или https://',
    urlCredentials: 'не должен содержать имя пользователя или пароль',
    urlInternal: 'нельзя импортировать: {host} — адрес типа {kind}',
    urlPort: 'нельзя импортировать: разрешён только порт 443',
    urlUnresolvable: 'нельзя импортировать: {host} не найден',
    fileType: 'должен быть файлом .pdf, .docx, .csv или .xlsx',
    fileTooLarge: 'больше {kb} КБ',
    fileNotFormat: 'не читается: файл не является {format}',
    fileBroken: 'не читается: файл {format} повреждён',
    fileEmpty: 'не читается: в файле нет текста (отсканированному PDF сначала нужно распознавание)',
    fileBudget: 'не читается: чтение заняло больше {ms} мс',
    fileTooLong: 'не читается: в файле больше {max} символов текста',
    fileUnzipped: 'не читается: распакованный файл больше {mb} МБ',
    pending: 'Запись {id} ещё импортируется; измените её, когда импорт закончится',
    faqOnly: 'можно задать только у записи FAQ',
    faqContent: 'записи FAQ — это её вопрос и ответ',
    pageStatus: 'страница ответила {status}',
    pageTooLarge: 'страница больше {bytes} байт',
    pageType: 'страница имеет тип {type}, а не HTML или текст',
    pageRedirects: 'страница перенаправляет больше {n} раз',
    pageTimeout: 'страница не ответила за {ms} мс',
    pageUnreachable: 'страница недоступна ({reason})',
    pageEmpty: 'на странице нет текста',
    pageTooLong: 'на странице больше {max} символов текста',
  },
};

/** One text of the catalogue in `lang`, its `{placeholders}` filled. */
export const say = (lang: Lang, key: KnowledgeText, vars: Record<string, string | number> = {}) => fill(KNOWLEDGE_TEXTS[lang][key], vars);

export type { KnowledgeText };
