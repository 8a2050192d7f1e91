import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFingerprinter } from './ledger.ts';

const secret = 'ledger-test-secret-0123456789';

describe('createFingerprinter', () => {
  // Ledgers already stored hold fingerprints made as HMAC-SHA256(secret, key, NUL, value): a
  // fingerprinter that hashed other bytes would make every owned key look modified-since-written.
  it('gives the fingerprints ledgers written before it was sped up hold', () => {
    const fingerprint = createFingerprinter(secret);
    expect(fingerprint('APP_DATABASE_URL', 'postgres://u@h/db')).toBe('5cce2a111184ae885e9f40c94b4424b43c34e8c3d5cb46d0d2eb77322ad6f8c0');
    expect(fingerprint('APP_É', 'välue ☃ \u{1F600}')).toBe('472aa8ea32adab13bf9aa62780fcc4644f9d8fdfd79df990a4be915999f5647c');
  });

  it('equals HMAC-SHA256 over the key, a NUL and the value for any strings, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', minLength: 1 }), (key, value, anySecret) => {
        const expected = createHmac('sha256', anySecret).update(key).update('\u0000').update(value).digest('hex');
        expect(createFingerprinter(anySecret)(key, value)).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('tells equal values of two keys apart, and two secrets apart', () => {
    expect(createFingerprinter(secret)('APP_A', 'same')).not.toBe(createFingerprinter(secret)('APP_B', 'same'));
    expect(createFingerprinter(secret)('APP_A', 'same')).not.toBe(createFingerprinter(`${secret}-other`)('APP_A', 'same'));
  });
});
