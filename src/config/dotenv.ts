import { SyncError } from '../errors.ts';

/**
 * Parses dotenv text: `KEY=value`, optional `export `, `#` comments, blank lines, single-quoted
 * (literal) and double-quoted (with `\n`, `\t`, `\"`, `\\` escapes) values, and unquoted values
 * with trailing ` # comments`.
 *
 * Strict on purpose: the canonical set decides what gets written and deleted, so a malformed
 * line is an error naming its line number (never its content, which may be a secret), not a
 * silently dropped key.
 *
 * @param origin - the file name, used in error messages.
 */
export function parseDotenv(text: string, origin: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const lineNumber = index + 1;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (match === null) {
      throw new SyncError(
        'canonical-invalid',
        `${origin} line ${lineNumber} is not KEY=value (keys start with a letter or _, then letters, digits, _, . or -). Fix or remove that line.`,
      );
    }
    const [, key = '', rest = ''] = match;
    const value = parseValue(rest, origin, lineNumber, key);
    if (values.has(key)) {
      throw new SyncError('canonical-invalid', `${origin} line ${lineNumber} sets ${key} a second time. Keep one of the two lines.`, { key });
    }
    values.set(key, value);
  });
  return values;
}

function parseValue(rest: string, origin: string, lineNumber: number, key: string): string {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = findClosingQuote(rest, quote);
    const after = end === -1 ? '' : rest.slice(end + 1).trim();
    if (end === -1 || (after !== '' && !after.startsWith('#'))) {
      throw new SyncError(
        'canonical-invalid',
        `${origin} line ${lineNumber} (${key}) has an unterminated or malformed quoted value. Close the quote; multi-line values are written with \\n inside double quotes.`,
        { key },
      );
    }
    const body = rest.slice(1, end);
    return quote === "'" ? body : unescape(body);
  }
  const comment = rest.search(/\s#/);
  return (comment === -1 ? rest : rest.slice(0, comment)).trim();
}

function findClosingQuote(text: string, quote: string): number {
  for (let index = 1; index < text.length; index += 1) {
    if (text[index] === '\\' && quote === '"') index += 1;
    else if (text[index] === quote) return index;
  }
  return -1;
}

function unescape(body: string): string {
  return body.replace(/\\([nrt"\\])/g, (_, char: string) => ({ n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' })[char] ?? char);
}
