import { createHmac, createSecretKey } from 'node:crypto';
import { slotKey, type RemoteState } from './plan.ts';

/**
 * The ownership ledger: what EnvSync itself wrote to each target, per key and context.
 *
 * It answers two questions the provider cannot: "did EnvSync create this variable?" (only then may a
 * sync delete it, by default) and "is this hidden secret still the value EnvSync wrote?" (compare
 * fingerprints, and the provider's `updated_at` against the time of the write).
 *
 * A fingerprint is an HMAC keyed by ENVSYNC_LEDGER_SECRET, never a bare hash: a bare hash of a short
 * value can be brute-forced from a leaked ledger.
 */

/** A target: one Render service or one Netlify site. */
export interface TargetRef {
  /** A registered provider id (see ./provider-id.ts). */
  readonly provider: string;
  readonly id: string;
}

/** What EnvSync last wrote to one (key, context) of a target. */
export interface LedgerEntry {
  readonly key: string;
  readonly context: string;
  /** HMAC-SHA256 of the key and value, hex. */
  readonly fingerprint: string;
  /** When EnvSync wrote it (ISO 8601, EnvSync's clock). */
  readonly writtenAt: string;
  /** The provider's `updated_at` right after the write, when it returned one. */
  readonly remoteUpdatedAt?: string;
}

/** All ledger entries of one target. */
export type LedgerSnapshot = readonly LedgerEntry[];

/**
 * Storage for the ledger, one record per target. Loaded once and saved once per sync of a target;
 * a per-target lock (see the Blobs storage) keeps two syncs from interleaving.
 */
export interface Ledger {
  load(target: TargetRef): Promise<LedgerSnapshot>;
  save(target: TargetRef, entries: LedgerSnapshot): Promise<void>;
}

/** A ledger in memory, for tests and for one-off runs that need no memory between runs. */
export class InMemoryLedger implements Ledger {
  readonly #records = new Map<string, LedgerSnapshot>();

  load(target: TargetRef): Promise<LedgerSnapshot> {
    return Promise.resolve(this.#records.get(targetKey(target)) ?? []);
  }

  save(target: TargetRef, entries: LedgerSnapshot): Promise<void> {
    this.#records.set(targetKey(target), [...entries]);
    return Promise.resolve();
  }
}

/** A stable string for a target, usable as a map key or a Blobs key segment. */
export function targetKey(target: TargetRef): string {
  return `${target.provider}:${target.id}`;
}

/** Computes value fingerprints with one secret. */
export type Fingerprinter = (key: string, value: string) => string;

/**
 * Creates the keyed fingerprint function: HMAC-SHA256 over the UTF-8 of `key`, a NUL and `value`.
 * The key name is mixed in so equal values of two keys differ.
 *
 * The secret becomes a `KeyObject` once, not once per call, and the message is hashed in one
 * `update`: a plan of a large target fingerprints every differing value, and this halves the cost
 * of each. The bytes hashed, and so every stored fingerprint, are the same as before.
 */
export function createFingerprinter(secret: string): Fingerprinter {
  const hmacKey = createSecretKey(Buffer.from(secret, 'utf8'));
  return (key, value) => createHmac('sha256', hmacKey).update(`${key}\u0000${value}`, 'utf8').digest('hex');
}

/** Indexes a snapshot by (key, context). */
export function indexLedger(entries: LedgerSnapshot): ReadonlyMap<string, LedgerEntry> {
  return new Map(entries.map((entry) => [slotKey(entry.key, entry.context), entry]));
}

/**
 * Drops the entries of slots the target no longer has; returns whether any was dropped.
 *
 * An entry outlives its value otherwise: a key a person deletes and later recreates by hand (even
 * with the same value) would still count as EnvSync's, and an owned delete would remove it. Only
 * a complete read may prune: `remote` must be everything the target holds.
 */
export function pruneLedger(ledger: Map<string, LedgerEntry>, remote: RemoteState): boolean {
  const present = new Set(remote.values.map((value) => slotKey(value.key, value.context)));
  let pruned = false;
  for (const slot of [...ledger.keys()]) {
    if (present.has(slot)) continue;
    ledger.delete(slot);
    pruned = true;
  }
  return pruned;
}
