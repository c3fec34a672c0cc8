import { StringDecoder } from 'node:string_decoder';
import { LineBuffer } from './line-buffer.ts';
import { LogMasker } from './log-masker.ts';

/**
 * One output stream of a session on its way to the log: bytes → UTF-8 text (a character split across two
 * reads is kept whole) → secrets masked → whole lines. Masking comes before line cutting so that a secret
 * spanning a newline (a PEM key) is still caught.
 */
export class LogStream {
  readonly #decoder = new StringDecoder('utf8');
  readonly #masker: LogMasker;
  readonly #lines = new LineBuffer();
  #ended = false;

  constructor(
    secrets: readonly string[],
    private readonly onLog: (text: string) => void,
  ) {
    this.#masker = new LogMasker(secrets);
  }

  write(chunk: Buffer | string): void {
    if (this.#ended) return;
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    this.#emit(this.#lines.push(this.#masker.push(text)));
  }

  /** Flushes everything held back. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const rest = this.#masker.push(this.#decoder.end()) + this.#masker.end();
    this.#emit(this.#lines.push(rest) + this.#lines.end());
  }

  #emit(text: string): void {
    if (text.length > 0) this.onLog(text);
  }
}
