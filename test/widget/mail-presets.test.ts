import { describe, expect, it } from 'vitest';
import { adviceFor, MAIL_PRESETS, presetById, presetOf, secureForPort } from '../../widget/src/admin/mail-presets.js';

describe('mail presets', () => {
  it('has each provider with TLS matching its ports, and custom without servers', () => {
    expect(MAIL_PRESETS.map((p) => p.id)).toEqual(['gmail', 'microsoft365', 'zoho', 'yandex', 'mailru', 'custom']);
    for (const p of MAIL_PRESETS.filter((x) => x.id !== 'custom')) {
      expect(secureForPort(p.smtp!.port), `${p.id} smtp`).toBe(p.smtp!.secure);
      expect(secureForPort(p.imap!.port), `${p.id} imap`).toBe(p.imap!.secure);
    }
    expect(presetById('gmail').smtp).toEqual({ host: 'smtp.gmail.com', port: 465, secure: true });
    expect(presetById('microsoft365').smtp).toEqual({ host: 'smtp.office365.com', port: 587, secure: false });
    expect(presetById('nonsense').id).toBe('custom');
  });

  it('recognises a saved server by its host, case-insensitively, and anything else as custom', () => {
    expect(presetOf('SMTP.Gmail.com')).toBe('gmail');
    expect(presetOf(null, 'imap.yandex.ru')).toBe('yandex');
    expect(presetOf('mail.example.org', 'imap.example.org')).toBe('custom');
    expect(presetOf(undefined)).toBe('custom');
  });

  it('advises an app password on an auth failure only where the provider wants one, and the TLS setting the port usually needs', () => {
    expect(adviceFor('auth', 'gmail', { port: 465, secure: true })).toEqual(['auth', 'app_password']);
    expect(adviceFor('auth', 'mailru', { port: 465, secure: true })).toEqual(['auth', 'app_password']);
    expect(adviceFor('auth', 'custom', { port: 587, secure: false })).toEqual(['auth']);
    expect(adviceFor('auth', 'microsoft365', { port: 587, secure: false })).toEqual(['auth', 'smtp_auth_m365']);
    expect(adviceFor('tls', 'custom', { port: 465, secure: false })).toEqual(['tls', 'tls_on']);
    expect(adviceFor('timeout', 'custom', { port: 587, secure: true })).toEqual(['timeout', 'tls_off']);
    expect(adviceFor('tls', 'custom', { port: 4650, secure: true })).toEqual(['tls']);
    expect(adviceFor('port', 'custom', { port: 26, secure: false })).toEqual(['port', 'ports']);
  });
});
