import { describe, expect, it } from 'vitest';
import { createRedactor } from '../core/redact.ts';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('writes one JSON object per line with the child fields and drops lines below the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line), level: 'info' }).child({ runId: 'r1' });
    logger.debug('hidden');
    logger.info('sync.done', { keys: ['APP_A'], count: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ level: 'info', event: 'sync.done', runId: 'r1', keys: ['APP_A'], count: 1 });
  });
});

describe('createRedactor', () => {
  it('replaces every known value of 4+ characters, longest first', () => {
    const redact = createRedactor(['abcd', 'abcdef']);
    expect(redact('x abcdef y abcd z on')).toBe('x [redacted] y [redacted] z on');
  });

  it('withholds the whole text when a short value appears in it as a token of its own', () => {
    const redact = createRedactor(['on', '42']);
    expect(redact('mention of HTTP 4242 and Environment')).toBe('mention of HTTP 4242 and Environment');
    expect(redact('value "42" is invalid')).toBe('[message withheld: it may quote a value]');
    expect(redact('flag=on')).toBe('[message withheld: it may quote a value]');
  });

  it('also finds a value JSON-escaped or URL-encoded, and values added later', () => {
    const redact = createRedactor(['a "quoted" value']);
    redact.add(['read from the target', undefined, '']);
    expect(redact('{"value":"a \\"quoted\\" value"}')).toBe('{"value":"[redacted]"}');
    expect(redact('q=read%20from%20the%20target')).toBe('q=[redacted]');
    expect(redact('read from the target')).toBe('[redacted]');
  });
});
