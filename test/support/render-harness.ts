import { http } from 'msw';
import { createFingerprinter } from '../../src/core/ledger.ts';
import { diff, type DiffPolicy } from '../../src/core/diff.ts';
import { noContext, type Plan, type RemoteState } from '../../src/core/plan.ts';
import { createBudget } from '../../src/http/budget.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { testSettings } from './settings.ts';
import type { RenderFake } from '../emulator/render.ts';
import type { ApplyOutcome, ProviderConnection, ProviderSession } from '../../src/core/adapter.ts';
import type { RenderOptions } from '../../src/providers/render.ts';

/**
 * Test wiring for the Render adapter: an msw handler in front of the fake, a session, a diff
 * policy and a one-call sync. Used by the adapter's tests and benchmark only.
 */

/** The API base URL the tests point the adapter at. */
export const renderTestBase = 'https://api.render.test/v1';
export const renderTestToken = 'rnd_test_token';

/** The msw handler that sends every Render request to `fake`. */
export function renderHandler(fake: RenderFake) {
  return http.all(`${renderTestBase}/*`, ({ request }) => fake.handle(request));
}

/** A clock that `sleep` advances instantly, shared by the fake, the write budget and the time budget. */
export interface VirtualClock {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly advance: (ms: number) => void;
}

export function virtualClock(start = Date.UTC(2026, 0, 1)): VirtualClock {
  let time = start;
  return {
    now: () => time,
    sleep: (ms) => {
      time += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      time += ms;
    },
  };
}

export interface TestSessionOptions {
  readonly serviceIds?: readonly string[];
  /** RENDER_ENV_GROUP_ID: bare group ids; their targets are `env-group:<id>`. */
  readonly envGroupIds?: readonly string[];
  readonly token?: string;
  readonly budgetMs?: number;
  readonly now?: () => number;
  /** Values the redactor must hide wherever they appear. */
  readonly secrets?: readonly string[];
  /** Collects every log line. */
  readonly logLines?: string[];
}

/** A Render session as the engine would build it, with a token from `env:RENDER_API_TOKEN`. */
export function renderSession(options: TestSessionOptions = {}): ProviderSession<RenderOptions> {
  const settings = testSettings({
    RENDER_API_URL: renderTestBase,
    RENDER_SERVICE_ID: (options.serviceIds ?? (options.envGroupIds === undefined ? ['srv-a'] : [])).join(','),
    RENDER_ENV_GROUP_ID: (options.envGroupIds ?? []).join(','),
  });
  const lines = options.logLines;
  const secrets = options.secrets ?? [];
  return {
    settings,
    provider: settings.providers.render,
    token: options.token ?? renderTestToken,
    tokenSource: 'env:RENDER_API_TOKEN',
    budget: createBudget(options.budgetMs ?? 20_000, options.now),
    logger: createLogger({ level: 'debug', write: (line) => lines?.push(line) }),
    redact: (text) => secrets.reduce((result, secret) => result.split(secret).join('[redacted]'), text),
  };
}

/** A policy managing `APP_` keys, deletions allowed for any managed key, no ledger. */
export function managedPolicy(overrides: Partial<DiffPolicy> = {}): DiffPolicy {
  return {
    isManaged: (key) => key.startsWith('APP_'),
    contextsFor: () => [noContext],
    isSecret: () => false,
    allowDeletions: true,
    deleteScope: 'managed',
    allowsEmptyValues: false,
    ledger: new Map(),
    fingerprint: createFingerprinter('test-ledger-secret-0123456789'),
    ...overrides,
  };
}

export interface SyncOnce {
  readonly remote: RemoteState;
  readonly plan: Plan;
  readonly outcome: ApplyOutcome;
}

/** One read → diff → apply round, as the engine runs it. */
export async function syncOnce(
  connection: ProviderConnection,
  serviceId: string,
  desired: Readonly<Record<string, string>>,
  policy: DiffPolicy = managedPolicy(),
): Promise<SyncOnce> {
  const remote = await connection.read(serviceId);
  const values = new Map(Object.entries(desired));
  const plan = diff(values, remote, policy);
  const outcome = await connection.apply(serviceId, plan, values, remote);
  return { remote, plan, outcome };
}

/** `count` variables named `${prefix}0001`... with values `${valuePrefix}-0001`... */
export function numberedVariables(prefix: string, count: number, valuePrefix = 'v'): Record<string, string> {
  const variables: Record<string, string> = {};
  for (let index = 1; index <= count; index += 1) {
    const suffix = String(index).padStart(4, '0');
    variables[`${prefix}${suffix}`] = `${valuePrefix}-${suffix}`;
  }
  return variables;
}
