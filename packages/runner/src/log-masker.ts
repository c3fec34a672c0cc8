/**
 * Masks secrets in a stream of text that arrives in arbitrary chunks. A secret may be split across two (or
 * more) writes, so the masker holds back the shortest tail that could still grow into a secret and releases
 * it once the next chunk (or the end of the stream) settles it. Every character that belongs to an occurrence
 * of a secret is replaced; overlapping or adjacent occurrences collapse into one `***`.
 */

export const MASK = '***';

export class LogMasker {
  readonly #secrets: string[];
  readonly #firstChars: Set<string>;
  readonly #longest: number;
  /** Text received but not released yet: a possible start of a secret. */
  #pending = '';
  /** How many leading characters of `#pending` belong to an occurrence already masked in released text. */
  #carriedMask = 0;

  constructor(secrets: readonly string[] = []) {
    // Empty secrets would match everywhere; duplicates cost time for nothing.
    this.#secrets = [...new Set(secrets.filter((secret) => secret.length > 0))].sort((a, b) => b.length - a.length);
    this.#firstChars = new Set(this.#secrets.map((secret) => secret[0]!));
    this.#longest = this.#secrets[0]?.length ?? 0;
  }

  /** True when there is nothing to mask: callers can skip the masker altogether. */
  get empty(): boolean {
    return this.#secrets.length === 0;
  }

  /** Feeds a chunk; returns the text that is now safe to release (possibly empty). */
  push(chunk: string): string {
    if (this.empty) return chunk;
    return this.#process(this.#pending + chunk, false);
  }

  /** Ends the stream: releases whatever was held back, masked. */
  end(): string {
    if (this.empty) return '';
    return this.#process(this.#pending, true);
  }

  /** Masks a complete text in one go (no state kept), for messages the runner writes itself. */
  maskAll(text: string): string {
    return new LogMasker(this.#secrets).#process(text, true);
  }

  #process(buffer: string, final: boolean): string {
    const cut = final ? buffer.length : this.#holdbackStart(buffer);
    const intervals = this.#occurrences(buffer);
    let out = '';
    let position = 0;
    // Nothing released this time: a mask carried from the previous chunk still applies to the same text.
    let carried = cut === 0 ? this.#carriedMask : 0;
    for (const [start, end] of intervals) {
      if (start >= cut) break;
      // An interval starting at 0 that continues a mask already released must not print a second `***`.
      const continues = start === 0 && this.#carriedMask > 0;
      out += buffer.slice(position, start) + (continues ? '' : MASK);
      if (end > cut) {
        // The occurrence runs into the held-back tail: its remainder must stay masked next time.
        carried = end - cut;
        position = cut;
        break;
      }
      position = end;
    }
    if (position < cut) out += buffer.slice(position, cut);
    this.#pending = buffer.slice(cut);
    this.#carriedMask = carried;
    return out;
  }

  /** Where the held-back tail starts: the earliest position whose suffix is a proper prefix of a secret. */
  #holdbackStart(buffer: string): number {
    const from = Math.max(0, buffer.length - this.#longest + 1);
    for (let i = from; i < buffer.length; i++) {
      if (!this.#firstChars.has(buffer[i]!)) continue;
      const tail = buffer.length - i;
      for (const secret of this.#secrets) {
        if (secret.length > tail && buffer.startsWith(secret.slice(0, tail), i)) return i;
      }
    }
    return buffer.length;
  }

  /** Every occurrence of every secret (overlaps included) plus the carried mask, merged and sorted. */
  #occurrences(buffer: string): Array<[number, number]> {
    const found: Array<[number, number]> = [];
    if (this.#carriedMask > 0) found.push([0, Math.min(this.#carriedMask, buffer.length)]);
    for (const secret of this.#secrets) {
      for (let at = buffer.indexOf(secret); at !== -1; at = buffer.indexOf(secret, at + 1)) found.push([at, at + secret.length]);
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [found[0]!];
    for (const [start, end] of found.slice(1)) {
      const last = merged[merged.length - 1]!;
      if (start <= last[1]) last[1] = Math.max(last[1], end);
      else merged.push([start, end]);
    }
    return merged;
  }
}
