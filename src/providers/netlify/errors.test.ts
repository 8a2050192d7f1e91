import { describe, expect, it } from 'vitest';
import { SyncError } from '../../errors.ts';
import type { FailedRequest } from '../../http/client.ts';
import { netlifyErrors } from './errors.ts';

const generic = new SyncError('provider-not-found', 'Netlify answered 404.', { status: 404 });

function failure(method: FailedRequest['method'], path: string, status = 404): FailedRequest {
  return { method, path, endpoint: `${method} /${path}`, status, key: 'APP_A', target: 'site-a' };
}

describe("Netlify's one error mapping", () => {
  it('reads a 404 of a variable or value delete as already gone', () => {
    expect(netlifyErrors(failure('DELETE', 'accounts/team-a/env/APP_A'), generic)).toBe('absent');
    expect(netlifyErrors(failure('DELETE', 'accounts/team-a/env/APP_A/value/v1'), generic)).toBe('absent');
  });

  it('reads a 404 of an update as a retryable conflict: deleted since the read', () => {
    for (const method of ['PATCH', 'PUT'] as const) {
      expect(netlifyErrors(failure(method, 'accounts/team-a/env/APP_A'), generic)).toMatchObject({
        code: 'conflict',
        key: 'APP_A',
        retryable: true,
        message: expect.stringContaining('APP_A was deleted from Netlify site site-a') as unknown,
      });
    }
  });

  it('leaves the site list and other statuses to the generic error', () => {
    expect(netlifyErrors(failure('GET', 'accounts/team-a/env'), generic)).toBeUndefined();
    expect(netlifyErrors(failure('GET', 'sites/site-a'), generic)).toBeUndefined();
    expect(netlifyErrors(failure('PATCH', 'accounts/team-a/env/APP_A', 500), generic)).toBeUndefined();
  });
});
