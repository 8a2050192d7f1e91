import { describe, expect, it } from 'vitest';
import { canaries } from '../emulator/sample-data.ts';
import { canarySightings, encodedForms } from './canary.ts';

/** The scan every runtime runs when it stops: it must see a canary however it was encoded. */
describe('the canary scan', () => {
  const wrap = (text: string) => `{"note":"x${text}y"}`;

  it('finds a canary raw, URL-encoded, hex-encoded and base64-encoded at any offset', () => {
    const value = canaries.canonical;
    const texts = [
      wrap(value),
      wrap(encodeURIComponent(`k=${value}`)),
      wrap(Buffer.from(value).toString('hex')),
      ...[0, 1, 2, 5].map((offset) => wrap(Buffer.from(`${'p'.repeat(offset)}${value}-tail`).toString('base64'))),
    ];
    for (const text of texts) expect(canarySightings({ answers: [text] }), text).toHaveLength(1);
  });

  it('names the place and the canary, never the text around it', () => {
    const [sighting] = canarySightings({ blobs: ['a', `secret ${canaries.unmanaged} here`] });
    expect(sighting).toBe('unmanaged canary in blobs #1 (form 0)');
  });

  it('sees nothing in text without a canary', () => {
    expect(canarySightings({ answers: ['{"keys":["APP_SUPPORT_EMAIL"]}'], output: ['CANARY-'] })).toEqual([]);
    expect(encodedForms(canaries.canonical).length).toBeGreaterThanOrEqual(5);
  });
});
