/**
 * What the knowledge sources tell people (API errors, an import's failure reason). English for now, kept
 * together so they can be translated later; the widget has its own i18n files and keys off the field names.
 */
export const texts = {
  invalid: 'The knowledge source cannot be used',
  notAgents: (ids: number[]) => `names agents that do not exist in this account: ${ids.join(', ')}`,
  urlScheme: (allowHttp: boolean) => (allowHttp ? 'must be an http:// or https:// URL' : 'must be an https:// URL'),
  urlCredentials: 'must not contain a user name or password',
  urlRefused: (why: string) => `cannot be imported: ${why}`,
  fileType: 'must be a .pdf, .docx, .csv or .xlsx file',
  fileTooLarge: (max: number) => `is larger than ${Math.round(max / 1024)} KB`,
  fileUnreadable: (why: string) => `cannot be read: ${why}`,
  pending: 'is still being imported; edit it when the import has finished',
  faqOnly: 'question and answer can only be set on an FAQ entry',
  importEmpty: 'the page has no text',
  importTooLong: (max: number) => `the page has more than ${max} characters of text`,
};
