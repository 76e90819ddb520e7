import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_NAMES, integrationStatus, parseEnv } from './env.js';

describe('parseEnv', () => {
  it('boots on defaults with nothing set, generating the encryption key once with mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    const dbPath = join(dir, 'data', 'app.db');
    const env = parseEnv({ DATABASE_PATH: dbPath });
    expect(env.PORT).toBe(3000);
    expect(env.PUBLIC_URL).toBe('http://localhost:3000');
    expect(env.ENCRYPTION_KEY).toHaveLength(32);
    const file = join(dir, 'data', 'encryption.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = parseEnv({ DATABASE_PATH: dbPath });
    expect(again.ENCRYPTION_KEY.equals(env.ENCRYPTION_KEY)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(env.ENCRYPTION_KEY.toString('base64'));
    expect(integrationStatus(env)).toEqual({ kommo: false, openai: false, smtp: false });
  });

  it('stops on a bad value, naming the variable and the expected form', () => {
    const bad = () => parseEnv({ PORT: 'eighty', ENCRYPTION_KEY: 'short', LOG_LEVEL: 'loud', DATABASE_PATH: ':memory:' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/PORT: expected a port number 0-65535 \(got "eighty"\)/);
      expect(msg).toMatch(/ENCRYPTION_KEY: expected 32 random bytes encoded as base64/);
      expect(msg).toMatch(/LOG_LEVEL: expected one of/);
    }
  });

  it('refuses a long-lived token without its account host', () => {
    expect(() => parseEnv({ DATABASE_PATH: ':memory:', ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'), KOMMO_LONG_LIVED_TOKEN: 'x' })).toThrow(
      /KOMMO_ACCOUNT_HOST: required with KOMMO_LONG_LIVED_TOKEN/,
    );
  });

  it('parses lists and flags', () => {
    const env = parseEnv({
      DATABASE_PATH: ':memory:',
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      KOMMO_ALLOWED_HOSTS: '*.kommo.com, crm.example.org',
      KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
      PUBLIC_URL: 'https://agent.example.com/',
    });
    expect(env.KOMMO_ALLOWED_HOSTS).toEqual(['*.kommo.com', 'crm.example.org']);
    expect(env.KOMMO_ALLOW_INSECURE_LOOPBACK).toBe(true);
    expect(env.PUBLIC_URL).toBe('https://agent.example.com');
  });
});

describe('the settings are documented', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const settings = readme.slice(readme.indexOf('## Settings'), readme.indexOf('\n## ', readme.indexOf('## Settings') + 5));
  const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const documented = [...settings.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
  const listed = [...example.matchAll(/^# ([A-Z0-9_]+)=/gm)].map((m) => m[1]);

  it("the README's settings table has exactly the variables server/env.ts reads", () => {
    expect([...documented].sort()).toEqual([...ENV_NAMES].sort());
  });
  it('.env.example lists every variable, and its uncommented values parse', () => {
    expect([...listed].sort()).toEqual([...ENV_NAMES].sort());
    const values = Object.fromEntries(
      [...example.matchAll(/^# ([A-Z0-9_]+)=(.+)$/gm)]
        .filter((m) => !['KOMMO_LONG_LIVED_TOKEN', 'KOMMO_ACCOUNT_HOST'].includes(m[1]!))
        .map((m) => [m[1], m[2]]),
    );
    expect(() => parseEnv({ ...values, DATABASE_PATH: ':memory:', ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64') })).not.toThrow();
  });
});
