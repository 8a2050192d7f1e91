import { describe, expect, it } from 'vitest';
import { selectTargets } from '../../core/engine.ts';
import { renderAdapter } from '../render.ts';

/** An unknown Render target names the setting of its own kind: a service id or an env group id. */

const settings = { targetIds: ['srv-api', 'env-group:evg-shared'], apiUrl: 'https://api.render.com/v1', options: {} };
const refusal = (target: string) => {
  try {
    selectTargets({ targets: [target] }, settings, renderAdapter);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
};

describe('Render target ids in messages', () => {
  it('an unknown environment group names RENDER_ENV_GROUP_ID, not the services setting', () => {
    const message = refusal('env-group:evg-nope');
    expect(message).toMatch(/^Unknown Render environment group env-group:evg-nope: configured targets are srv-api, env-group:evg-shared\. Add it to RENDER_ENV_GROUP_ID/);
  });

  it('an unknown service still names RENDER_SERVICE_ID', () => {
    expect(refusal('srv-nope')).toMatch(/^Unknown Render service srv-nope: .* Add it to RENDER_SERVICE_ID/);
  });

  it('a configured group is selected', () => {
    expect(selectTargets({ targets: ['env-group:evg-shared'] }, settings, renderAdapter)).toEqual(['env-group:evg-shared']);
  });
});
