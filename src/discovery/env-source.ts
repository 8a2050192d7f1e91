import type { TokenSource } from './types.ts';

/** The token in an environment variable of its own name (`RENDER_API_TOKEN`). */
export const envSource: TokenSource = {
  kind: 'env',
  lookup(request, context) {
    const token = context.env[request.tokenName]?.trim();
    return Promise.resolve(
      token === undefined || token === ''
        ? { found: false, looked: [`environment variable ${request.tokenName} (not set)`] }
        : { found: true, token, source: `env:${request.tokenName}` },
    );
  },
};
