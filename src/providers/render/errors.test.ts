import { describe, expect, it } from 'vitest';
import { SyncError } from '../../errors.ts';
import type { FailedRequest } from '../../http/client.ts';
import { renderErrors } from './errors.ts';

const generic = new SyncError('provider-not-found', 'Render answered 404.', { status: 404 });

function failure(method: FailedRequest['method'], path: string, status = 404): FailedRequest {
  return { method, path, endpoint: `${method} /${path}`, status };
}

describe("Render's one error mapping", () => {
  it('reads a 404 of a variable delete as already gone', () => {
    expect(renderErrors(failure('DELETE', 'services/srv-a/env-vars/APP_A'), generic)).toBe('absent');
  });

  it('reads every other 404 on a service path as an unknown service naming RENDER_SERVICE_ID', () => {
    for (const [method, path] of [
      ['GET', 'services/srv-a/env-vars'],
      ['PUT', 'services/srv-a/env-vars/APP_A'],
      ['PUT', 'services/srv-a/env-vars'],
      ['POST', 'services/srv-a/deploys'],
    ] as const) {
      const mapped = renderErrors(failure(method, path), generic);
      expect(mapped).toBeInstanceOf(SyncError);
      expect(mapped).toMatchObject({ code: 'provider-not-found', status: 404 });
      expect((mapped as SyncError).message).toContain('service srv-a was not found');
      expect((mapped as SyncError).message).toContain('RENDER_SERVICE_ID');
    }
  });

  it('reads a 404 on an env group path as an unknown group naming RENDER_ENV_GROUP_ID, and a group variable delete as already gone', () => {
    expect(renderErrors(failure('DELETE', 'env-groups/evg-a/env-vars/APP_A'), generic)).toBe('absent');
    for (const [method, path] of [
      ['GET', 'env-groups/evg-a'],
      ['PUT', 'env-groups/evg-a/env-vars/APP_A'],
    ] as const) {
      const mapped = renderErrors(failure(method, path), generic);
      expect(mapped).toMatchObject({ code: 'provider-not-found', status: 404 });
      expect((mapped as SyncError).message).toContain('env group evg-a was not found');
      expect((mapped as SyncError).message).toContain('RENDER_ENV_GROUP_ID');
    }
  });

  it('keeps the generic error for anything but a 404', () => {
    expect(renderErrors(failure('PUT', 'services/srv-a/env-vars/APP_A', 500), generic)).toBeUndefined();
    expect(renderErrors({ ...failure('GET', 'services/srv-a/env-vars'), status: undefined }, generic)).toBeUndefined();
  });
});
