import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** AES-256-GCM for secrets at rest (tokens, mailbox passwords). Format: v1.iv.tag.ciphertext, base64url parts. */
export interface Encryptor {
  encrypt(plain: string): string;
  decrypt(box: string): string;
}

export function createEncryptor(key: Buffer): Encryptor {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt(box) {
      const [v, iv, tag, ct] = box.split('.');
      if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('unrecognised ciphertext format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
