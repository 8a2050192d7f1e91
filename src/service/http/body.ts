import type * as z from 'zod';
import { SyncError } from '../../errors.ts';

/** Largest request body accepted. A sync request names at most one target; 16 KiB is generous. */
export const maxBodyBytes = 16 * 1024;

/**
 * Reads and validates a JSON request body. An empty body is `{}`, so `POST` with no body works.
 *
 * The body is read as a stream and abandoned as soon as it passes {@link maxBodyBytes}, so an
 * oversized request costs no more memory than the limit. Error messages describe the problem
 * (size, syntax, which fields) without quoting the body.
 *
 * @throws SyncError `payload-too-large` (413) for a body over the limit, `bad-request` for one that is
 *   not JSON or not what `schema` wants.
 */
export async function readJsonBody<T>(request: Request, schema: z.ZodType<T>, limit = maxBodyBytes): Promise<T> {
  const text = await readLimitedText(request, limit);
  let json: unknown = {};
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message quotes the body, so it is not passed on.
      throw new SyncError('bad-request', 'The request body is not valid JSON. Send a JSON object such as {"target":"<id>"}, or no body at all.');
    }
  }
  return validate(schema, json, 'request body');
}

/** Validates untrusted input (a body, a query) and turns zod issues into one readable `bad-request`. */
export function validate<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(whole)'}: ${issue.message}`);
  throw new SyncError('bad-request', `Invalid ${what}: ${problems.join('; ')}. See docs/functions.md for what each endpoint accepts.`);
}

async function readLimitedText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function tooLarge(limit: number): SyncError {
  return new SyncError('payload-too-large', `The request body is larger than ${limit / 1024} KiB. EnvSync's endpoints take at most {"target":"<id>"}; send a smaller body.`);
}
