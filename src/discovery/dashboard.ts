import * as z from 'zod';
import { describeUrl, fetchJson } from './http-json.ts';
import type { SourceResult, TokenSource } from './types.ts';

const dashboardAnswer = z.record(z.string(), z.unknown());

/**
 * The token from a dashboard URL: each URL of ENVSYNC_DASHBOARD_TOKEN_URLS is fetched and must
 * answer a JSON object of token name → token; the first that has the provider's token name wins.
 */
export const dashboardSource: TokenSource = {
  kind: 'dashboard',
  async lookup(request, context): Promise<SourceResult> {
    const { dashboardUrls, timeoutMs } = context.settings.discovery;
    if (dashboardUrls.length === 0) return { found: false, looked: ['dashboard (ENVSYNC_DASHBOARD_TOKEN_URLS not set)'] };
    const looked: string[] = [];
    const warnings: string[] = [];
    for (const url of dashboardUrls) {
      const where = `dashboard ${describeUrl(url)}`;
      const answer = await fetchJson(context.fetch, url, { timeoutMs });
      if (!answer.ok) {
        looked.push(`${where} (${answer.reason})`);
        warnings.push(`${where} ${answer.reason}`);
        continue;
      }
      const parsed = dashboardAnswer.safeParse(answer.body);
      const token = parsed.success ? parsed.data[request.tokenName] : undefined;
      if (typeof token === 'string' && token.trim() !== '') {
        const source = `dashboard:${describeUrl(url)}`;
        return warnings.length > 0 ? { found: true, token: token.trim(), source, warning: warnings.join('; ') } : { found: true, token: token.trim(), source };
      }
      looked.push(`${where} (${parsed.success ? `no ${request.tokenName}` : 'answer is not a JSON object'})`);
      if (!parsed.success) warnings.push(`${where} answered something other than a JSON object`);
    }
    return warnings.length > 0 ? { found: false, looked, warning: warnings.join('; ') } : { found: false, looked };
  },
};
