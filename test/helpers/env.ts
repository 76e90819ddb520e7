import { parseEnv, type Env } from '../../server/env.js';

export const TEST_CLIENT_ID = '7f4c2a1e-1111-4222-8333-944455556666';
export const TEST_CLIENT_SECRET = 'test-client-secret-0123456789abcdef';
export const TEST_KEY = Buffer.alloc(32, 7).toString('base64');

/** A complete test configuration: in-memory database, silent logs, Kommo settings present. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Env {
  return parseEnv({
    DATABASE_PATH: ':memory:',
    ENCRYPTION_KEY: TEST_KEY,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3999',
    KOMMO_CLIENT_ID: TEST_CLIENT_ID,
    KOMMO_CLIENT_SECRET: TEST_CLIENT_SECRET,
    KOMMO_REDIRECT_URI: 'http://127.0.0.1:3999/oauth/callback',
    KOMMO_ALLOW_INSECURE_LOOPBACK: '1',
    ...overrides,
  });
}
