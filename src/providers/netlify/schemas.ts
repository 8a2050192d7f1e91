import * as z from 'zod';

/**
 * zod schemas of the Netlify API responses EnvSync reads, after the spec's `site` and `envVar`
 * definitions (netlify-openapi-env.yml). Lenient where sources disagree (how a secret's masked
 * value looks, scope spellings, nullable fields), strict where a wrong shape would be dangerous: a
 * list that is not an array of variables with `key` and `values` is an error, never an empty site.
 */

const optionalText = z.string().nullish();

/** `GET /sites/{site_id}`: only what account resolution needs. */
export const siteSchema = z
  .object({ id: z.string().nullish(), account_id: optionalText, account_slug: optionalText })
  .refine((site) => Boolean(site.account_slug) || Boolean(site.account_id), {
    message: 'expected account_slug or account_id',
  });

/**
 * One value of a variable. `value` may be missing, `null`, empty or a masked string for secrets
 * (the API's representation is unverified), so the adapter decides visibility from `is_secret`.
 */
export const envVarValueSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  value: z.string().nullish(),
  context: z.string().min(1),
  context_parameter: optionalText,
});

/** One variable of a site (the spec's `envVar`). */
export const envVarSchema = z.object({
  key: z.string().min(1),
  scopes: z.array(z.string()).nullish(),
  values: z.array(envVarValueSchema),
  is_secret: z.boolean().nullish(),
  updated_at: optionalText,
});

/** `GET /accounts/{account}/env?site_id=` and the bulk create's response. */
export const envVarListSchema = z.array(envVarSchema);

/** `PUT` and `PATCH` on one variable answer with it. */
export const envVarResponseSchema = envVarSchema;

/** `POST /sites/{site_id}/builds`: only the id, for the log. */
export const buildSchema = z.object({ id: z.string().nullish() });

/** A validated site variable as the API returned it. */
export type ApiEnvVar = z.infer<typeof envVarSchema>;

/** A value as sent in create, replace and set-value bodies. */
export interface ApiValueInput {
  readonly context: string;
  readonly context_parameter?: string;
  readonly value: string;
}

/** One item of the bulk create (`POST /accounts/{account}/env?site_id=`) body. */
export interface CreateBody {
  readonly key: string;
  readonly values: readonly ApiValueInput[];
  readonly is_secret: boolean;
  readonly scopes?: readonly string[];
}

/** The replace (`PUT .../env/{key}`) body: every value the variable keeps. */
export type ReplaceBody = CreateBody;

/** The set-one-value (`PATCH .../env/{key}`) body. */
export type SetValueBody = ApiValueInput;
