import { bench, describe } from 'vitest';
import { diff, type DiffPolicy } from '../src/core/diff.ts';
import { createFingerprinter, indexLedger } from '../src/core/ledger.ts';
import { noContext, type RemoteValue } from '../src/core/plan.ts';

/** How long planning takes for large targets: pure CPU, no I/O. */
const fingerprint = createFingerprinter('bench-secret-0123456789');

function scenario(size: number) {
  const desired = new Map<string, string>();
  const values: RemoteValue[] = [];
  for (let index = 0; index < size; index += 1) {
    const key = `APP_KEY_${index}`;
    desired.set(key, `value-${index}`);
    if (index % 10 !== 0) values.push({ key, context: noContext, value: index % 7 === 0 ? 'old' : `value-${index}`, secret: false });
    values.push({ key: `OTHER_${index}`, context: noContext, value: 'x', secret: false });
  }
  const policy: DiffPolicy = {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: () => [noContext],
    isSecret: () => false,
    allowDeletions: true,
    deleteScope: 'owned',
    allowsEmptyValues: false,
    ledger: indexLedger([...desired].map(([key, value]) => ({ key, context: noContext, fingerprint: fingerprint(key, value), writtenAt: '2026-01-01T00:00:00Z' }))),
    fingerprint,
  };
  return { desired, remote: { values }, policy };
}

describe('diff', () => {
  for (const size of [100, 1_000, 10_000]) {
    const { desired, remote, policy } = scenario(size);
    bench(`${size} managed keys + ${size} unmanaged`, () => {
      diff(desired, remote, policy);
    });
  }
});
