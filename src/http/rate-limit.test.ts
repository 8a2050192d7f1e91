import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryDelayFromHeaders } from './rate-limit.ts';

const now = Date.parse('2026-11-28T12:00:00Z');

describe('retryDelayFromHeaders', () => {
  it('prefers Retry-After in seconds', () => {
    expect(retryDelayFromHeaders(new Headers({ 'retry-after': '7', 'ratelimit-reset': '50' }), now)).toBe(7_000);
  });

  it('reads Retry-After as an HTTP date', () => {
    expect(retryDelayFromHeaders(new Headers({ 'retry-after': 'Sat, 28 Nov 2026 12:00:05 GMT' }), now)).toBe(5_000);
  });

  it("reads Render's Ratelimit-Reset both as seconds to wait and as epoch seconds", () => {
    expect(retryDelayFromHeaders(new Headers({ 'Ratelimit-Reset': '45' }), now)).toBe(45_000);
    expect(retryDelayFromHeaders(new Headers({ 'Ratelimit-Reset': String(now / 1000 + 12) }), now)).toBe(12_000);
  });

  it("reads Netlify's X-RateLimit-Reset epoch seconds, never negative", () => {
    expect(retryDelayFromHeaders(new Headers({ 'X-RateLimit-Reset': String(now / 1000 + 3) }), now)).toBe(3_000);
    expect(retryDelayFromHeaders(new Headers({ 'X-RateLimit-Reset': String(now / 1000 - 30) }), now)).toBe(0);
  });

  it('says nothing when no header says anything usable', () => {
    expect(retryDelayFromHeaders(new Headers({ 'x-ratelimit-reset': 'soon' }), now)).toBeUndefined();
    expect(retryDelayFromHeaders(new Headers(), now)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially with jitter in the upper half, capped at 8 s', () => {
    expect(backoffDelayMs(1, () => 0)).toBe(250);
    expect(backoffDelayMs(1, () => 1)).toBe(500);
    expect(backoffDelayMs(3, () => 1)).toBe(2_000);
    expect(backoffDelayMs(20, () => 1)).toBe(8_000);
  });
});
