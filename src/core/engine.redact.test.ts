import { describe, expect, it } from 'vitest';
import { createBudget } from '../http/budget.ts';
import { createLogger } from '../logging/logger.ts';
import { MemoryProvider } from '../../test/support/memory-provider.ts';
import { testEnv, testSettings } from '../../test/support/settings.ts';
import type { ProviderAdapter, ProviderSession } from './adapter.ts';
import { syncProvider } from './engine.ts';
import { InMemoryLedger } from './ledger.ts';
import { createRedactor } from './redact.ts';

describe("the run's redactor", () => {
  it('learns every value read from a target, unmanaged and short ones included, for the connections to use', async () => {
    const provider = new MemoryProvider();
    provider.seed('srv-a', { OTHER_LONG: 'unmanaged-value-9f2c', OTHER_PIN: 'k9', APP_A: 'old' });
    const sessions: ProviderSession[] = [];
    const adapter: ProviderAdapter = {
      ...provider.adapter,
      connect: (session) => {
        sessions.push(session);
        return provider.adapter.connect(session);
      },
    };
    const env = { APP_A: 'canonical-value-1b7e' };
    const redact = createRedactor(['canonical-value-1b7e']);

    await syncProvider(
      { provider: 'render', mode: 'enforce' },
      {
        settings: testSettings(env),
        env: testEnv(env),
        ledger: new InMemoryLedger(),
        logger: createLogger({ write: () => undefined }),
        budget: createBudget(20_000),
        adapters: { render: adapter, netlify: new MemoryProvider('netlify').adapter },
        redact,
      },
    );

    const seen = sessions[0]?.redact ?? ((text: string) => text);
    expect(seen('a unmanaged-value-9f2c b canonical-value-1b7e')).toBe('a [redacted] b [redacted]');
    expect(seen('pin "k9" refused')).toBe('[message withheld: it may quote a value]');
  });
});
