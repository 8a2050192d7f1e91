import * as z from 'zod';
import { requireRole } from '../http/auth.ts';
import { readJsonBody } from '../http/body.ts';
import type { Endpoint } from '../http/endpoint.ts';
import { jsonResponse } from '../http/responses.ts';
import { requireNoSubPath } from '../http/route.ts';
import { releaseResponseSchema, rollbackResponseSchema } from '../http/trust-schemas.ts';
import { releaseHold, rollbackRun } from '../run/rollback.ts';
import { loadEnabledSettings } from '../run/work.ts';

const runIdInput = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'expected a runId as envsync-runs or envsync-history show it');
const targetInput = z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a service or site id');

/** `{ runId, target?, dryRun?, force?, reason? }` rolls a run back; `{ release: target }` releases a hold. */
export const rollbackBodySchema = z.union([
  z.strictObject({ release: targetInput }),
  z.strictObject({
    runId: runIdInput,
    target: targetInput.optional(),
    dryRun: z.boolean().optional(),
    force: z.boolean().optional(),
    reason: z.string().min(1).max(200).optional(),
  }),
]);

/**
 * `POST /.netlify/functions/envsync-rollback` (API token): puts back every slot a run changed, or
 * with `dryRun` shows the rollback plan first; `{ "release": "<target>" }` ends a rollback hold.
 */
export const rollbackEndpoint: Endpoint = {
  name: 'envsync-rollback',
  methods: ['POST'],
  async run(request, deps) {
    requireRole(request, deps.env, 'write');
    requireNoSubPath(request, 'envsync-rollback');
    const body = await readJsonBody(request, rollbackBodySchema);
    const settings = loadEnabledSettings(deps.env);
    const storage = await deps.openStorage();
    if ('release' in body) {
      const hold = await releaseHold(body.release, storage);
      const answer: z.infer<typeof releaseResponseSchema> = {
        released: { provider: hold.provider, target: hold.target, rollbackRunId: hold.rollbackRunId, undoes: hold.undoes, keys: [...new Set(hold.slots.map((slot) => slot.key))] },
      };
      return jsonResponse(200, answer);
    }
    const result = await rollbackRun(
      {
        runId: body.runId,
        dryRun: body.dryRun === true,
        force: body.force === true,
        ...(body.target === undefined ? {} : { target: body.target }),
        ...(body.reason === undefined ? {} : { reason: body.reason }),
      },
      deps,
      settings,
      storage,
    );
    const answer: z.infer<typeof rollbackResponseSchema> = {
      runId: result.runId,
      undoes: result.undoes,
      mode: result.mode,
      targets: result.targets.map((item) => ({ provider: item.provider, target: item.target, held: item.held, slots: [...item.slots], report: item.report })),
    };
    return jsonResponse(200, answer);
  },
};
