import { describe, expect, it } from 'vitest';
import { nextPagePath } from './read.ts';

const base = 'https://api.netlify.com/api/v1';

describe('nextPagePath', () => {
  it('returns nothing without a Link header or a next relation', () => {
    expect(nextPagePath(null, base)).toBeUndefined();
    expect(nextPagePath(`<${base}/accounts/a/env?page=1>; rel="prev"`, base)).toBeUndefined();
  });

  it('turns the next link into a path under the API base URL', () => {
    const link = `<${base}/accounts/a/env?site_id=s&page=1>; rel="prev", <${base}/accounts/a/env?site_id=s&page=3>; rel="next"`;
    expect(nextPagePath(link, base)).toBe('accounts/a/env?site_id=s&page=3');
  });

  it('resolves a relative next link against the API base URL', () => {
    expect(nextPagePath('<accounts/a/env?page=2>; rel=next', base)).toBe('accounts/a/env?page=2');
  });

  it('refuses a next link outside the API base URL, which would receive the token', () => {
    expect(() => nextPagePath('<https://api.netlify.com/other/accounts/a/env?page=2>; rel="next"', base)).toThrow(/outside NETLIFY_API_URL/);
    expect(() => nextPagePath('<https://evil.test/api/v1/x>; rel="next"', base)).toThrow(/outside NETLIFY_API_URL/);
  });
});
