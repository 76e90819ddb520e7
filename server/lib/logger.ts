import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * Logs. Secrets and message texts never belong in a log line; the redact list is a safety net for the
 * field names that could carry them if someone logs an object whole. JSON (one line per event) unless
 * a person is watching: on a terminal they are pretty-printed.
 */
export const redactPaths = [
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'client_secret',
  '*.client_secret',
  'password',
  '*.password',
  'pass',
  '*.pass',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-auth-token"]',
  'text',
  '*.text',
  'body',
  '*.body',
  'html',
  '*.html',
  'apiKey',
  '*.apiKey',
  'smtpUrl',
  '*.smtpUrl',
];

/** `pretty`: human-readable lines (default: when stdout is a terminal and no destination is given). */
export function createLogger(level: string, destination?: pino.DestinationStream, o: { pretty?: boolean } = {}): Logger {
  const human = o.pretty ?? (destination === undefined && process.stdout.isTTY === true);
  const out = human ? pretty({ colorize: destination === undefined, translateTime: 'SYS:HH:MM:ss.l', destination: destination ?? 1, sync: true }) : destination;
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: undefined }, out);
}
