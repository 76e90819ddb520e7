import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Every setting the server reads. This is the only module that touches process.env.
 * The names are a public contract: the README lists each one.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = (form: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .url({ message: `expected ${form}` })
      .optional(),
  );
const int = (def: number, min: number, max: number, form: string) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: `expected ${form}` })
      .int({ message: `expected ${form}` })
      .min(min, { message: `expected ${form}` })
      .max(max, { message: `expected ${form}` })
      .default(def),
  );
const usd = (def: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ invalid_type_error: 'expected US dollars, 0 (no limit) or more' })
      .min(0, { message: 'expected US dollars, 0 (no limit) or more' })
      .max(1_000_000, { message: 'expected US dollars, at most 1000000' })
      .default(def),
  );
const bool = z.preprocess((v) => (typeof v === 'string' ? ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase()) : (v ?? false)), z.boolean());

const envSchema = z.object({
  PORT: int(3000, 0, 65535, 'a port number 0-65535'),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  PUBLIC_URL: optionalUrl('an absolute URL such as https://agent.example.com'),
  DATABASE_PATH: z.preprocess(emptyToUndefined, z.string().default('./data/app.db')),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        message: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  ),
  ENCRYPTION_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => isBase64Key(v), { message: 'expected 32 random bytes encoded as base64 (openssl rand -base64 32)' })
      .optional(),
  ),
  KOMMO_CLIENT_ID: optionalString,
  KOMMO_CLIENT_SECRET: optionalString,
  KOMMO_REDIRECT_URI: optionalUrl('the absolute Redirect URI registered in Kommo'),
  KOMMO_ALLOWED_HOSTS: z.preprocess(emptyToUndefined, z.string().default('*.kommo.com,*.amocrm.ru,*.amocrm.com')),
  KOMMO_ALLOW_INSECURE_LOOPBACK: bool,
  KOMMO_RATE_LIMIT_RPS: int(7, 1, 50, 'requests per second, 1-50'),
  KOMMO_LONG_LIVED_TOKEN: optionalString,
  KOMMO_ACCOUNT_HOST: optionalString,
  /** The path secret baked into the widget's manifest (DP webhook_url, Salesbot handler): one for every account. */
  WIDGET_HOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .min(3, { message: 'expected at least 3 characters' })
      .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected letters, digits, _ or -' })
      .optional(),
  ),
  /** The widget's code in Kommo (its advanced settings page is /settings/widgets/<code>/): links in notification emails open it. */
  WIDGET_CODE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected letters, digits, _ or -' })
      .default('kai_agent'),
  ),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl('an absolute URL such as https://api.openai.com/v1'),
  OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
  OPENAI_TIMEOUT_MS: int(30_000, 1000, 600_000, 'milliseconds, 1000-600000'),
  SMTP_URL: optionalUrl('an SMTP URL such as smtp://user:pass@mail.example.com:587'),
  MAIL_FROM: optionalString,
  BODY_LIMIT_BYTES: int(1024 * 1024, 1024, 50 * 1024 * 1024, 'bytes, 1024-52428800'),
  WORKER_CONCURRENCY: int(16, 1, 64, 'a number of parallel jobs, 1-64'),
  DB_CHECKPOINT_INTERVAL_MS: int(100, 0, 60_000, 'milliseconds, 0-60000'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 0, 600_000, 'milliseconds, 0-600000'),
  WEBHOOK_BURST_WINDOW_MS: int(8000, 0, 120_000, 'milliseconds, 0-120000'),
  NOTIFY_BATCH_WINDOW_MS: int(60_000, 0, 3_600_000, 'milliseconds, 0-3600000'),
  // Automation: rules.
  /** A rule event caused by this many rule actions in a row stops (loop protection). */
  RULES_MAX_DEPTH: int(5, 1, 50, 'a number of rule hops, 1-50'),
  /** How many leads one run of a scheduled rule may touch. */
  RULES_SCHEDULE_LEAD_LIMIT: int(500, 1, 100_000, 'a number of leads, 1-100000'),
  /** call_webhook: also http:// and loopback/private hosts (self-hosting, tests). Metadata addresses stay refused. */
  RULES_WEBHOOK_ALLOW_PRIVATE_HOSTS: bool,
  /** call_webhook: how long the receiver has to answer. */
  RULES_WEBHOOK_TIMEOUT_MS: int(10_000, 500, 60_000, 'milliseconds, 500-60000'),
  // LLM budgets and prompt hygiene (the agents): which models, how much per month, how much per turn.
  /** Comma-separated models an agent may use; must include OPENAI_MODEL. Unset: OPENAI_MODEL alone. */
  OPENAI_MODELS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((v) => [
        ...new Set(
          v
            .split(',')
            .map((m) => m.trim())
            .filter(Boolean),
        ),
      ])
      .refine((list) => list.length > 0 && list.every((m) => m.length <= 100), { message: 'expected model names separated by commas' })
      .optional(),
  ),
  /** Each account's monthly spend on the model (estimated USD); 0: no limit. An admin may set a lower one per account. */
  LLM_MONTHLY_BUDGET_USD: usd(50),
  /** Each account's monthly tokens (prompt + completion); 0: no limit. */
  LLM_MONTHLY_BUDGET_TOKENS: int(0, 0, 1_000_000_000_000, 'a number of tokens, 0 (no limit) or more'),
  /** Per turn: characters of client messages put into the prompt, newest first. */
  LLM_TURN_MAX_CLIENT_CHARS: int(6000, 200, 200_000, 'characters, 200-200000'),
  /** Per turn: characters of knowledge excerpts, best match first. */
  LLM_TURN_MAX_KNOWLEDGE_CHARS: int(6000, 200, 200_000, 'characters, 200-200000'),
  /** Per turn: characters of the stage's sales script. */
  LLM_TURN_MAX_SCRIPT_CHARS: int(8000, 200, 200_000, 'characters, 200-200000'),
  /** Per turn: CRM actions the model may plan; extra tool calls are dropped and recorded. */
  LLM_TURN_MAX_ACTIONS: int(5, 1, 50, 'a number of actions, 1-50'),
  /** Playground runs per minute per account and user. */
  LLM_PLAYGROUND_PER_MINUTE: int(10, 1, 1000, 'runs per minute, 1-1000'),

  // ---- Public endpoints: rate limits, operator endpoints, Digital Pipeline triggers (area: public endpoints) ----
  /** Behind a reverse proxy: take the caller's address from the last X-Forwarded-For entry (the one the proxy added). */
  TRUST_PROXY: bool,
  /** /api/* (the widget): requests a minute per client address and per Kommo account. */
  RATE_LIMIT_API_PER_MIN: int(600, 1, 1_000_000, 'requests a minute, 1-1000000'),
  /** Digital Pipeline and Salesbot hooks: requests a minute per Kommo account (counted once the request is verified). */
  RATE_LIMIT_HOOKS_PER_MIN: int(300, 1, 1_000_000, 'requests a minute, 1-1000000'),
  /** Digital Pipeline, Salesbot and uninstall hooks: requests a minute per client address. Kommo sends every account's hooks from a few addresses. */
  RATE_LIMIT_HOOKS_IP_PER_MIN: int(3000, 1, 1_000_000, 'requests a minute, 1-1000000'),
  /** /oauth/start, /oauth/callback: per client address and per Kommo host; /oauth/uninstall: per account. */
  RATE_LIMIT_OAUTH_PER_MIN: int(10, 1, 100_000, 'requests a minute, 1-100000'),
  /** How many rate-limit buckets (address or account × endpoint group) are kept in memory; the least recently used go first. */
  RATE_LIMIT_MAX_KEYS: int(50_000, 100, 10_000_000, 'a number of buckets, 100-10000000'),
  /** /metrics and the detailed /readyz answer `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(16, { message: 'expected at least 16 characters' }).optional()),
  /** /metrics and the detailed /readyz also answer callers on this machine (127.0.0.1, ::1) without the token. */
  METRICS_ALLOW_LOOPBACK: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? ['1', 'true', 'yes', 'on'].includes(v.trim().toLowerCase()) : (v ?? true)),
    z.boolean(),
  ),
  /** A Digital Pipeline trigger for the same lead and stage within this window is a duplicate (Kommo retries, double fires). */
  DP_DEDUPE_WINDOW_MS: int(600_000, 0, 86_400_000, 'milliseconds, 0-86400000'),
  // Email safety: quotas on client mail, the mailbox host guard, limits on reading untrusted mail.
  /** Client-email recipients (to + cc) one account may queue in any 24 hours. */
  MAIL_DAILY_RECIPIENT_CAP: int(300, 1, 1_000_000, 'a number of recipients per day, 1-1000000'),
  /** Client-email recipients one account may queue, and send, in any minute. */
  MAIL_RECIPIENTS_PER_MINUTE: int(30, 1, 10_000, 'a number of recipients per minute, 1-10000'),
  /** Let mailbox settings name loopback and private-network hosts, on any port (self-hosting, tests). */
  MAIL_ALLOW_PRIVATE_HOSTS: bool,
  /** Larger messages in a watched mailbox are skipped (recorded in the activity feed), never downloaded. */
  MAIL_IMAP_MAX_MESSAGE_BYTES: int(10 * 1024 * 1024, 1024, 100 * 1024 * 1024, 'bytes, 1024-104857600'),
  /** A message that fails to be read or parsed this many times is skipped instead of blocking its mailbox. */
  MAIL_IMAP_MAX_FAILURES: int(3, 1, 100, 'a number of attempts, 1-100'),
  // Cost and quality: when a stage's agent is suggested to autopilot, or back to draft (an admin confirms).
  /** Decided drafts (sent or discarded) in the last 30 days before autopilot is suggested. */
  QUALITY_AUTOPILOT_MIN_DRAFTS: int(50, 1, 100_000, 'a number of drafts, 1-100000'),
  /** Percent of those drafts sent exactly as the agent wrote them. */
  QUALITY_AUTOPILOT_MIN_UNCHANGED_PCT: int(90, 1, 100, 'a percentage, 1-100'),
  /** An autopilot agent with this percent of its actions undone (over 10 or more) is suggested back to draft. */
  QUALITY_DRAFT_UNDO_PCT: int(20, 1, 100, 'a percentage, 1-100'),
  /** A draft agent with this percent of its drafts discarded (over 10 or more) is flagged. */
  QUALITY_DRAFT_DISCARD_PCT: int(40, 1, 100, 'a percentage, 1-100'),
  /** Time allowed to parse one incoming email. */
  MAIL_PARSE_BUDGET_MS: int(10_000, 100, 600_000, 'milliseconds, 100-600000'),
  // Retention: what the daily retention job deletes, by age in days.
  /** Raw webhook bodies and the stored events, once processed. */
  RETENTION_WEBHOOK_DAYS: int(7, 1, 3650, 'days, 1-3650'),
  /** Dead jobs, with their errors (completed ones go after 7 days, in the runtime's housekeeping: their idempotency keys stay taken that long). */
  RETENTION_JOBS_DAYS: int(30, 7, 3650, 'days, 7-3650'),
  /** The activity feed. */
  RETENTION_ACTIVITY_DAYS: int(180, 1, 36500, 'days, 1-36500'),
  /** The HTML of inbound email (the text is kept). */
  RETENTION_MAIL_HTML_DAYS: int(30, 1, 36500, 'days, 1-36500'),
  // Knowledge sources: URL imports (SSRF-guarded) and uploaded files.
  /** URL imports may use http:// and loopback/private hosts (self-hosting, tests). Metadata addresses stay refused. */
  KNOWLEDGE_ALLOW_PRIVATE_HOSTS: bool,
  /** How long a page being imported has to answer. */
  KNOWLEDGE_URL_TIMEOUT_MS: int(15_000, 500, 120_000, 'milliseconds, 500-120000'),
  /** Larger pages are refused, not cut. */
  KNOWLEDGE_URL_MAX_BYTES: int(2 * 1024 * 1024, 1024, 50 * 1024 * 1024, 'bytes, 1024-52428800'),
  /** Largest uploaded file (PDF, DOCX, CSV, XLSX), before base64. */
  KNOWLEDGE_UPLOAD_MAX_BYTES: int(5 * 1024 * 1024, 1024, 50 * 1024 * 1024, 'bytes, 1024-52428800'),
  /** Time allowed to read one uploaded file. */
  KNOWLEDGE_PARSE_BUDGET_MS: int(20_000, 100, 600_000, 'milliseconds, 100-600000'),
});

export type RawEnv = z.infer<typeof envSchema>;
/** Every variable's name: the README's settings table and `.env.example` list each one (a test holds them equal). */
export const ENV_NAMES = Object.keys(envSchema.shape) as (keyof RawEnv)[];
export type Env = Omit<RawEnv, 'ENCRYPTION_KEY' | 'PUBLIC_URL' | 'KOMMO_ALLOWED_HOSTS'> & {
  PUBLIC_URL: string;
  ENCRYPTION_KEY: Buffer;
  KOMMO_ALLOWED_HOSTS: string[];
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function isBase64Key(v: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(v.trim())) return false;
  return Buffer.from(v.trim(), 'base64').length === 32;
}

/** Parse settings; throws ConfigError naming every bad variable and the expected form. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${String(i.path[0])}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])] ?? null)})`));
  }
  const raw = result.data;
  const problems: string[] = [];
  if (raw.KOMMO_LONG_LIVED_TOKEN && !raw.KOMMO_ACCOUNT_HOST) {
    problems.push('KOMMO_ACCOUNT_HOST: required with KOMMO_LONG_LIVED_TOKEN (expected the account host, e.g. acme.kommo.com)');
  }
  if (raw.OPENAI_MODELS && !raw.OPENAI_MODELS.includes(raw.OPENAI_MODEL)) {
    problems.push(`OPENAI_MODELS: must include OPENAI_MODEL (${raw.OPENAI_MODEL}), the default for new agents`);
  }
  if (problems.length) throw new ConfigError(problems);
  const publicUrl = (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, '');
  return {
    ...raw,
    PUBLIC_URL: publicUrl,
    KOMMO_ALLOWED_HOSTS: raw.KOMMO_ALLOWED_HOSTS.split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    ENCRYPTION_KEY: raw.ENCRYPTION_KEY ? Buffer.from(raw.ENCRYPTION_KEY.trim(), 'base64') : loadOrCreateKeyFile(raw.DATABASE_PATH),
  };
}

/**
 * Without ENCRYPTION_KEY we generate one key next to the database, once, readable by the owner only,
 * so `npm start` works with no setup and tokens stay decryptable across restarts.
 */
function loadOrCreateKeyFile(databasePath: string): Buffer {
  const dir = databasePath === ':memory:' ? resolve('./data') : dirname(resolve(databasePath));
  const file = join(dir, 'encryption.key');
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8').trim();
    if (!isBase64Key(text)) {
      throw new ConfigError([`ENCRYPTION_KEY: the key file ${file} is corrupt (expected 32 bytes as base64); restore it or set ENCRYPTION_KEY`]);
    }
    return Buffer.from(text, 'base64');
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

/** Which optional integrations have what they need. Used by /readyz and by "not configured" errors. */
export function integrationStatus(env: Env) {
  return {
    kommo: Boolean(env.KOMMO_CLIENT_ID && env.KOMMO_CLIENT_SECRET && env.KOMMO_REDIRECT_URI) || Boolean(env.KOMMO_LONG_LIVED_TOKEN),
    openai: Boolean(env.OPENAI_API_KEY),
    smtp: Boolean(env.SMTP_URL && env.MAIL_FROM),
  };
}
