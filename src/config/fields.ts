import * as z from 'zod';

/**
 * zod building blocks for settings read from environment variables.
 *
 * Environment variables are always strings, and an empty string means "not set" (a dashboard field
 * left blank, `FOO=` in a dotenv file). These helpers encode that once, so the schema reads as a
 * table of settings.
 */

/** Treats a blank or whitespace-only value as unset. */
function blankAsUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

const truthy = new Set(['true', '1', 'yes', 'on']);
const falsy = new Set(['false', '0', 'no', 'off']);

/** A boolean setting: true/false, 1/0, yes/no (case-insensitive). */
export function booleanSetting(defaultValue: boolean) {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((value) => truthy.has(value) || falsy.has(value), 'expected true/false, 1/0 or yes/no')
      .transform((value) => truthy.has(value))
      .optional()
      .transform((value) => value ?? defaultValue),
  );
}

/** Splits a comma-separated value: items trimmed, empty items dropped. */
export function splitCsv(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A comma-separated list whose items each satisfy `item`. */
export function csvSetting<T>(item: z.ZodType<T>, defaultValue: readonly string[]) {
  return z.preprocess(
    (value) => (blankAsUndefined(value) === undefined ? [...defaultValue] : typeof value === 'string' ? splitCsv(value) : value),
    z.array(item),
  );
}

/** A free-text setting that may be unset. */
export function optionalString() {
  return z.preprocess(blankAsUndefined, z.string().trim().optional());
}

const httpUrl = z
  .string()
  .trim()
  .refine((value) => /^https?:\/\//i.test(value) && URL.canParse(value), 'expected an http(s) URL')
  .transform((value) => value.replace(/\/+$/, ''));

/** An optional URL setting (http or https only), without trailing slashes. */
export function optionalUrlSetting() {
  return z.preprocess(blankAsUndefined, httpUrl.optional());
}

/** A URL setting (http or https only) with a default, without trailing slashes. */
export function urlSetting(defaultValue: string) {
  return z.preprocess((value) => blankAsUndefined(value) ?? defaultValue, httpUrl);
}

/** Shortest bearer token EnvSync accepts: 32 characters, what `openssl rand -hex 16` gives. */
export const minAccessTokenLength = 32;

/**
 * ENVSYNC_API_TOKEN and ENVSYNC_READ_TOKEN: optional, but when set at least
 * {@link minAccessTokenLength} characters, since they guard endpoints open to the internet.
 */
export function accessTokenSetting() {
  return z.preprocess(
    blankAsUndefined,
    z
      .string()
      .trim()
      .min(minAccessTokenLength, `expected at least ${minAccessTokenLength} characters (openssl rand -hex 32)`)
      .optional(),
  );
}

/**
 * Whether a URL's host is this machine (localhost, 127.0.0.0/8, ::1): the only hosts a token may be
 * fetched from over plain http, since nothing crosses a network.
 */
export function isLoopbackUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const host = new URL(value).hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

const secureUrl = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value) && (/^https:\/\//i.test(value) || (/^http:\/\//i.test(value) && isLoopbackUrl(value))), 'expected an https URL (plain http only for localhost or 127.0.0.1)')
  .transform((value) => value.replace(/\/+$/, ''));

/**
 * An optional URL that EnvSync sends or receives a credential through (the vault): https only,
 * except loopback hosts for local development.
 */
export function optionalSecureUrlSetting() {
  return z.preprocess(blankAsUndefined, secureUrl.optional());
}

/** A comma-separated list of credential URLs (dashboard token URLs), each as {@link optionalSecureUrlSetting}. */
export function secureUrlListSetting() {
  return csvSetting(secureUrl, []);
}

/** A whole number setting within bounds. */
export function integerSetting(defaultValue: number, min: number, max: number) {
  return z.preprocess(
    (value) => blankAsUndefined(value) ?? String(defaultValue),
    z
      .string()
      .trim()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`)),
  );
}

/** One of a fixed set of words, case-insensitive. */
export function choiceSetting<const T extends readonly [string, ...string[]]>(choices: T, defaultValue: T[number]) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? (blankAsUndefined(value) as string | undefined)?.trim().toLowerCase() : value) ?? defaultValue,
    z.enum(choices, { error: `expected one of ${choices.join(', ')}` }),
  );
}

const durationUnitsMs: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration setting: a whole number with a unit (`90s`, `30m`, `24h`, `7d`), or a bare number of
 * seconds. Parsed to milliseconds, within bounds given in milliseconds.
 */
export function durationSetting(defaultValue: string, minMs: number, maxMs: number) {
  return z.preprocess(
    (value) => blankAsUndefined(value) ?? defaultValue,
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^\d+\s*[smhd]?$/, 'expected a duration such as 30m, 24h or 7d (a bare number is seconds)')
      .transform((value) => {
        const unit = /[smhd]$/.exec(value)?.[0] ?? 's';
        return Number.parseInt(value, 10) * (durationUnitsMs[unit] ?? 1_000);
      })
      .pipe(z.number().min(minMs, `expected at least ${minMs / 1_000} s`).max(maxMs, `expected at most ${maxMs / 86_400_000} days`)),
  );
}
