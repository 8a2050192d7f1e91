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
    const redact = createRedactor(['abcd', 'abcdef', 'on']);
    expect(redact('x abcdef y abcd z on')).toBe('x [redacted] y [redacted] z on');
  });
});
