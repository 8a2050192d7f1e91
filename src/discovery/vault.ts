import * as z from 'zod';
import { describeUrl, fetchJson } from './http-json.ts';
import type { SourceResult, TokenSource } from './types.ts';

const vaultAnswer = z.object({ key: z.string(), value: z.string() });

/**
 * The token from a vault endpoint: `GET {ENVSYNC_VAULT_URL}?key=NAME` with
 * `Authorization: Bearer ENVSYNC_VAULT_TOKEN`, answering `{"key": NAME, "value": token}`.
 * NAME is each entry of ENVSYNC_VAULT_TOKEN_KEYS that starts with the provider's name
 * (`RENDER_API_TOKEN` for Render).
 */
export const vaultSource: TokenSource = {
  kind: 'vault',
  async lookup(request, context): Promise<SourceResult> {
    const { vaultUrl, vaultToken, vaultTokenKeys, timeoutMs } = context.settings.discovery;
    if (vaultUrl === undefined) return { found: false, looked: ['vault (ENVSYNC_VAULT_URL not set)'] };
    const names = vaultTokenKeys.filter((name) => name.toUpperCase().startsWith(request.provider.toUpperCase()));
    const looked: string[] = [];
    const warnings: string[] = [];
    for (const name of names) {
      const url = new URL(vaultUrl);
      url.searchParams.set('key', name);
      const headers: Record<string, string> = vaultToken === undefined ? {} : { authorization: `Bearer ${vaultToken}` };
      const answer = await fetchJson(context.fetch, url.toString(), { headers, timeoutMs });
      const where = `vault ${describeUrl(vaultUrl)} key ${name}`;
      if (!answer.ok) {
        looked.push(`${where} (${answer.reason})`);
        warnings.push(`${where} ${answer.reason}`);
        continue;
      }
      const parsed = vaultAnswer.safeParse(answer.body);
      if (!parsed.success || parsed.data.value.trim() === '') {
        looked.push(`${where} (${parsed.success ? 'empty value' : 'answer is not {"key","value"}'})`);
        warnings.push(`${where} gave no usable token`);
        continue;
      }
      const token = parsed.data.value.trim();
      return warnings.length > 0 ? { found: true, token, source: `vault:${name}`, warning: warnings.join('; ') } : { found: true, token, source: `vault:${name}` };
    }
    if (names.length === 0) looked.push(`vault (no key in ENVSYNC_VAULT_TOKEN_KEYS starts with ${request.provider.toUpperCase()})`);
    return warnings.length > 0 ? { found: false, looked, warning: warnings.join('; ') } : { found: false, looked };
  },
};
