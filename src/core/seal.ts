import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { SyncError } from '../errors.ts';

/**
 * Authenticated encryption of the few things EnvSync must keep that are values: the prior state
 * of slots a run is about to overwrite, so a rollback can restore them.
 *
 * AES-256-GCM with a fresh 96-bit nonce per sealed record. The key is derived with HKDF-SHA256 from
 * ENVSYNC_LEDGER_SECRET (or ENVSYNC_ROLLBACK_KEY) under its own purpose label, so it is never the
 * key of the ledger's fingerprints even though both come from one secret. The record's identity
 * (run and target) is bound in as associated data: a sealed blob copied to another run's key does
 * not open.
 */

/** The HKDF purpose label of rollback snapshots. Fingerprints use the secret directly, never this label. */
export const snapshotKeyLabel = 'envsync/rollback-snapshot/aes-256-gcm/v1';

/** A sealed record, all base64. */
export interface Sealed {
  readonly alg: 'A256GCM';
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** Derives a 32-byte key for `label` from a secret of 16+ characters. */
export function deriveKey(secret: string, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.from(label, 'utf8'), 32));
}

/** Encrypts `plaintext` (JSON-serialisable) under `key`, binding `associated`. */
export function seal(plaintext: unknown, key: Buffer, associated: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
  return { alg: 'A256GCM', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/**
 * Decrypts a sealed record.
 * @throws SyncError `storage-failed` when it does not open (another key, tampered, or another record's data).
 */
export function unseal(sealed: Sealed, key: Buffer, associated: string): unknown {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const text = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    throw new SyncError(
      'storage-failed',
      'A rollback snapshot could not be decrypted: ENVSYNC_LEDGER_SECRET or ENVSYNC_ROLLBACK_KEY changed since it was stored, or the snapshot was altered. Restore the secret it was made with, or roll back by hand.',
    );
  }
}
