import { describe, expect, it } from 'vitest';
import { parseDotenv } from './dotenv.ts';

describe('parseDotenv', () => {
  it('reads plain, exported, quoted and commented lines', () => {
    const text = [
      '# a comment',
      '',
      'APP_PLAIN=hello world # trailing comment',
      'export APP_EXPORTED=1',
      "APP_SINGLE='literal \\n # not a comment'",
      'APP_DOUBLE="line1\\nline2 \\"q\\""',
      'APP_EMPTY=',
      'APP_HASH=a#b',
    ].join('\n');
    expect(Object.fromEntries(parseDotenv(text, '.env'))).toEqual({
      APP_PLAIN: 'hello world',
      APP_EXPORTED: '1',
      APP_SINGLE: 'literal \\n # not a comment',
      APP_DOUBLE: 'line1\nline2 "q"',
      APP_EMPTY: '',
      APP_HASH: 'a#b',
    });
  });

  it('names the line number of a malformed line, never its content', () => {
    const secret = 'hunter2-secret-value';
    expect(() => parseDotenv(`APP_OK=1\nthis is ${secret}\n`, 'canon.env')).toThrow(/canon\.env line 2 is not KEY=value/);
    try {
      parseDotenv(`APP_OK=1\nthis is ${secret}\n`, 'canon.env');
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('rejects an unterminated quote and a key set twice', () => {
    expect(() => parseDotenv('APP_A="open', 'f')).toThrow(/line 1 \(APP_A\) has an unterminated/);
    expect(() => parseDotenv('APP_A=1\nAPP_A=2', 'f')).toThrow(/line 2 sets APP_A a second time/);
  });
});
