/**
 * The one logger EnvSync uses: JSON lines on stdout, which Netlify keeps as function logs.
 *
 * It is meant to receive key names, counts, codes and ids only. Nothing in EnvSync passes a value
 * here (a test plants a canary value and searches every line for it), and the field types keep
 * nested objects out, so a whole request body cannot be logged by accident.
 */

/** A log field: scalars or lists of names. Deliberately no nested objects. */
export type LogValue = string | number | boolean | null | undefined | readonly string[];
export type LogFields = Readonly<Record<string, LogValue>>;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (runId, provider, target). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Where a finished line goes; defaults to stdout. Tests collect lines here. */
  readonly write?: (line: string) => void;
  /** Lines below this level are dropped. @default 'info' */
  readonly level?: LogLevel;
  readonly base?: LogFields;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const minimum = levelRank[options.level ?? 'info'];
  const base = options.base ?? {};
  const emit = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (levelRank[level] < minimum) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields }));
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything, for callers that have nothing to say. */
export const silentLogger: Logger = createLogger({ write: () => undefined });
