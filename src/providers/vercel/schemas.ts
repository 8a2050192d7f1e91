import * as z from 'zod';

/**
 * zod schemas of the Vercel answers EnvSync reads (after the SDK models in
 * ../shared/reference/vercel-api.md §2-§7). Lenient where sources disagree (`target` as an array or
 * one string, nullable metadata, extra fields), strict where a wrong shape would be dangerous: a list
 * without `envs`, or a record without `id` and `key`, is an error, never an empty project.
 */

const optionalText = z.string().nullish();

/** One env record, listed or returned by a write. `value` is ciphertext for `encrypted` and absent or meaningless for `sensitive`. */
export const envRecordSchema = z.object({
  id: z.string().min(1),
  key: z.string().min(1),
  value: z.string().nullish(),
  type: z.string().min(1),
  target: z
    .union([z.array(z.string()), z.string()])
    .nullish()
    .transform((target) => (target === null || target === undefined ? [] : typeof target === 'string' ? [target] : target)),
  customEnvironmentIds: z.array(z.string()).nullish(),
  gitBranch: optionalText,
  configurationId: optionalText,
  contentHint: z.unknown().optional(),
  updatedAt: z.number().nullish(),
  decrypted: z.boolean().nullish(),
});

/** `GET /v10/projects/{idOrName}/env`: `{envs, pagination?}`, or one record (declared by the SDK). */
export const envListSchema = z.union([
  z.object({
    envs: z.array(envRecordSchema),
    pagination: z.object({ next: z.number().nullish() }).nullish(),
  }),
  envRecordSchema.transform((record) => ({ envs: [record], pagination: undefined })),
]);

/** `GET /v1/projects/{idOrName}/env/{id}`: the decrypted record, or no `value` for a sensitive one. */
export const decryptedRecordSchema = z.object({
  id: z.string().nullish(),
  value: z.string().nullish(),
  decrypted: z.boolean().nullish(),
  type: z.string().nullish(),
  updatedAt: z.number().nullish(),
});

/** One item of a batch create's `failed`: every field but the error is optional (reference §5.1). */
export const failedItemSchema = z.object({
  error: z
    .object({
      code: optionalText,
      message: optionalText,
      key: optionalText,
      envVarKey: optionalText,
      target: z.union([z.array(z.string()), z.string()]).nullish(),
      gitBranch: optionalText,
    })
    .passthrough(),
});

/** `POST /v10/projects/{idOrName}/env` (201), and the `{error, failed}` of a refused batch. */
export const createAnswerSchema = z.object({
  created: z.union([z.array(envRecordSchema), envRecordSchema]).nullish(),
  failed: z.array(failedItemSchema).nullish(),
});

/** Vercel's error body: `{error: {code, message, ...}}` (reference §1). */
export const errorBodySchema = z.object({
  error: z.object({ code: optionalText, message: optionalText }).passthrough(),
  failed: z.array(failedItemSchema).nullish(),
});

/** `GET /v9/projects/{idOrName}/custom-environments`. */
export const customEnvironmentsSchema = z.object({
  environments: z.array(z.object({ id: z.string().min(1), slug: z.string().min(1) })),
});

/** `GET /v6/deployments`: only what a redeploy needs. */
export const deploymentsSchema = z.object({
  deployments: z.array(z.object({ uid: z.string().min(1), name: z.string().min(1), target: optionalText, state: optionalText })),
});

/** `POST /v13/deployments`: only the id, for the log. */
export const createdDeploymentSchema = z.object({ id: z.string().nullish() });

export type ApiEnvRecord = z.infer<typeof envRecordSchema>;
export type FailedItem = z.infer<typeof failedItemSchema>;

/** One item of the batch create body. */
export interface CreateItem {
  readonly key: string;
  readonly value: string;
  readonly type: string;
  readonly target?: readonly string[];
  readonly customEnvironmentIds?: readonly string[];
}

/** The edit (`PATCH /v9/projects/{idOrName}/env/{id}`) body. Never carries `key` (a sensitive record refuses it). */
export interface EditBody {
  readonly value?: string;
  readonly type?: string;
  readonly target: readonly string[];
  readonly customEnvironmentIds?: readonly string[];
}
