import { canaries } from '../emulator/sample-data.ts';

/**
 * The canary scan of issue 8: a unique value in the canonical set and another in an unmanaged
 * variable (test/emulator/sample-data.ts) must never show up in anything EnvSync emits. Every
 * runtime started by {@link startRuntime} keeps the body of every answer it gave, and on `stop()`
 * scans those, its own output (every log line of every function) and every file of its local Blobs
 * sandbox (reports, tickets, events, history, plans, snapshots, ledgers) for both canaries, raw,
 * URL-encoded, base64 (at each of the three alignments a value can take inside a longer base64
 * text) and hex. A sighting fails the test file that started the runtime.
 */

/** The forms a value may take when something encodes it on the way out. */
export function encodedForms(value: string): string[] {
  const forms = new Set([value, encodeURIComponent(value), Buffer.from(value).toString('hex')]);
  for (let shift = 0; shift < 3; shift += 1) {
    // The base64 of `value` inside a longer text depends on where it starts; the middle part of
    // each alignment's encoding is the same wherever the value sits.
    const encoded = Buffer.from(`${'\u0000'.repeat(shift)}${value}`).toString('base64');
    const start = Math.ceil((shift * 4) / 3) + 1;
    const end = encoded.length - 4;
    if (end - start >= 8) forms.add(encoded.slice(start, end));
  }
  return [...forms];
}

/** Where each canary was seen, named by place and form, never quoting the text around it. */
export function canarySightings(places: Readonly<Record<string, readonly string[]>>): string[] {
  const found: string[] = [];
  for (const [which, canary] of Object.entries(canaries)) {
    const forms = encodedForms(canary);
    for (const [place, texts] of Object.entries(places)) {
      texts.forEach((text, index) => {
        const form = forms.findIndex((candidate) => text.includes(candidate));
        if (form !== -1) found.push(`${which} canary in ${place} #${index} (form ${form})`);
      });
    }
  }
  return found;
}
