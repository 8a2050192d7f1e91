import * as z from 'zod';

/**
 * zod schemas for the Render responses EnvSync relies on, from Render's OpenAPI document
 * (`envVar`, `envVarWithCursor`, `deploy`). Only the fields EnvSync reads are declared; unknown
 * fields are dropped. A response that does not match is an error naming the endpoint (see
 * `parseResponse`), never an empty list: an empty list would turn into deletions.
 */

/** One service variable. Render requires both fields and returns values in plaintext. */
export const envVarSchema = z.object({
  key: z.string().min(1, 'expected a non-empty key'),
  value: z.string(),
});

/** A service variable as Render returns it: `{key, value}`. */
export type EnvVar = z.infer<typeof envVarSchema>;

/**
 * One page of `GET /services/{id}/env-vars`: a bare array of `{envVar, cursor}`. The next page is
 * requested with the cursor of the last item; there is no `hasMore` flag.
 */
export const envVarPageSchema = z.array(
  z.object({
    envVar: envVarSchema,
    cursor: z.string().min(1, 'expected a non-empty cursor'),
  }),
);

/** The deploy a `POST /services/{id}/deploys` answered 201 with (a 202 has no body). */
export const deploySchema = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
});

/**
 * An environment group as `GET /env-groups/{id}` and `PUT /env-groups/{id}/env-vars/{key}` return
 * it (`envGroup` in Render's OpenAPI document): the group's metadata with every variable of the
 * group (plaintext values, no pagination) and the services linked to it. `envVars` and
 * `serviceLinks` are required by the document; a group without them is a surprise shape, never
 * "no variables" (that would plan deletions) nor "no linked services" (that would skip deploys).
 */
export const envGroupSchema = z.object({
  id: z.string().min(1),
  envVars: z.array(envVarSchema),
  serviceLinks: z.array(z.object({ id: z.string().min(1) })),
});

/** An environment group, as far as EnvSync reads it. */
export type EnvGroup = z.infer<typeof envGroupSchema>;
