/** What stands in for a value found in provider text. */
export const redactedMark = '[redacted]';

/** What stands in for a whole provider text that quotes a short value. */
export const withheldMark = '[message withheld: it may quote a value]';

/** Values this long or longer are cut out of a text; shorter ones withhold the whole text. */
const cutLength = 4;

/**
 * Removes values from text EnvSync did not write itself (a provider's error message may quote a
 * request body). It learns values as they pass: the canonical set at the start, and every value
 * read from a target (unmanaged ones included, since a replace-all sends them back).
 */
export interface Redactor {
  (text: string): string;
  /** Adds values to hide from now on. Empty values are ignored: they cannot be told apart in text. */
  add(values: Iterable<string | undefined>): void;
}

/**
 * Builds a {@link Redactor} over `values`.
 *
 * A value of 4+ characters is replaced by `[redacted]` wherever it appears, also JSON-escaped and
 * URL-encoded. A shorter one (`on`, `42`) cannot be cut out without garbling the text, and is
 * still a value: when it appears as a token of its own (not inside a longer word or number), the
 * whole text is withheld instead. Dropping a provider's words is always preferred to keeping a
 * value.
 */
export function createRedactor(values: Iterable<string>): Redactor {
  const long = new Set<string>();
  const short = new Set<string>();
  let longSorted: string[] = [];
  let shortPattern: RegExp | undefined;

  const add = (more: Iterable<string | undefined>): void => {
    let changed = false;
    for (const value of more) {
      if (value === undefined || value === '') continue;
      for (const form of forms(value)) {
        const bucket = form.length >= cutLength ? long : short;
        if (bucket.has(form)) continue;
        bucket.add(form);
        changed = true;
      }
    }
    if (!changed) return;
    longSorted = [...long].sort((a, b) => b.length - a.length);
    shortPattern = short.size === 0 ? undefined : new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...short].map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'u');
  };

  const redact = ((text: string): string => {
    const cut = longSorted.reduce((result, value) => (result.includes(value) ? result.split(value).join(redactedMark) : result), text);
    return shortPattern?.test(cut) === true ? withheldMark : cut;
  }) as Redactor;
  redact.add = add;
  add(values);
  return redact;
}

/** The spellings a value may take in provider text: as is, JSON-escaped, URL-encoded. */
function forms(value: string): string[] {
  return [...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
