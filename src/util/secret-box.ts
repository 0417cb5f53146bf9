import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeSecretFile } from './secret-file.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A secret as stored: AES-256-GCM, base64 of IV ‖ tag ‖ ciphertext. */
export interface Sealed {
  aes256gcm: string;
}

export function isSealed(value: unknown): value is Sealed {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { aes256gcm?: unknown }).aes256gcm === 'string'
  );
}

/**
 * Encrypts secrets the server must be able to use again (webhook signing secrets, SMTP
 * passwords), so they do not sit in clear in the database or its backups. AES-256-GCM with a
 * random 96-bit IV per value (NIST SP 800-38D); `context` (e.g. the channel and field) is
 * authenticated, so a sealed value cannot be moved to another field unnoticed.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Uint8Array): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`a secrets key is ${KEY_BYTES} bytes`);
    return new SecretBox(Buffer.from(key));
  }

  seal(plain: string, context: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { aes256gcm: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
  }

  /** Throws when the value was sealed with another key (or changed, or moved). */
  open(sealed: Sealed, context: string): string {
    const bytes = Buffer.from(sealed.aes256gcm, 'base64');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('a sealed secret is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}

/**
 * The data folder's `secrets.key` (256 random bits, base64, mode 0600), made on first use.
 * Every server of one database needs the same file, like `log.key`. Two processes starting
 * at once: the file is created exclusively, and the one that loses the race reads it.
 */
export function loadOrCreateSecretBox(file: string): SecretBox {
  if (!existsSync(file)) {
    try {
      writeSecretFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} is not an Evident secrets key (${KEY_BYTES} bytes, base64)`);
  }
  return SecretBox.fromKey(key);
}
