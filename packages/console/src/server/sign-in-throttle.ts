import { GantryError } from '@gantry/core';

/**
 * Slows down password and key guessing: after `limit` failed sign-ins for one identity from one client address
 * within `windowMs`, further attempts for it from there are refused until the oldest failure ages out. Keyed by
 * address and identity together, so nobody can lock a user out from everywhere by failing on purpose. Kept in
 * memory: each server process counts its own attempts.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();
  private static readonly MAX_KEYS = 10_000;

  constructor(private readonly options: { limit?: number; windowMs?: number; now?: () => number } = {}) {}

  private get limit() {
    return this.options.limit ?? 5;
  }
  private get windowMs() {
    return this.options.windowMs ?? 15 * 60_000;
  }
  private now() {
    return this.options.now?.() ?? Date.now();
  }

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  /** Refuses the attempt when this key has failed too often lately. */
  check(key: string): void {
    const times = this.recent(key);
    if (times.length < this.limit) return;
    const minutes = Math.max(1, Math.ceil((times[0]! + this.windowMs - this.now()) / 60_000));
    throw new GantryError('LimitExceeded', `Too many failed sign-in attempts: wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again.`, { status: 429 });
  }

  failed(key: string): void {
    if (this.failures.size >= SignInThrottle.MAX_KEYS && !this.failures.has(key)) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, [...this.recent(key), this.now()]);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
