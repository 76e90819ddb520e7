import pino, { type Logger } from 'pino';

/**
 * JSON logs. Secrets and message texts never belong in a log line; the redact list is a safety net
 * for the field names that could carry them if someone logs an object whole.
 */
export const redactPaths = [
  'token', '*.token', 'accessToken', '*.accessToken', 'refreshToken', '*.refreshToken',
  'access_token', '*.access_token', 'refresh_token', '*.refresh_token', 'client_secret', '*.client_secret',
  'password', '*.password', 'pass', '*.pass', 'secret', '*.secret', 'authorization', '*.authorization',
  'headers.authorization', 'headers["x-auth-token"]', 'text', '*.text', 'body', '*.body', 'html', '*.html',
  'apiKey', '*.apiKey', 'smtpUrl', '*.smtpUrl',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: undefined }, destination);
}
