/**
 * Cuts a text stream into whole lines, so that log consumers (stored logs, live tails) never see half a line.
 * A line longer than `maxLineLength` (a progress bar redrawn with `\r`, minified output) is released in pieces
 * rather than held in memory without bound.
 */
export class LineBuffer {
  #partial = '';

  constructor(private readonly maxLineLength = 64 * 1024) {}

  /** Returns the complete lines now available (each ending in `\n`), or `''`. */
  push(text: string): string {
    if (text.length === 0) return '';
    const combined = this.#partial + text;
    const lastNewline = combined.lastIndexOf('\n');
    if (lastNewline === -1) {
      if (combined.length < this.maxLineLength) {
        this.#partial = combined;
        return '';
      }
      this.#partial = '';
      return combined + '\n';
    }
    this.#partial = combined.slice(lastNewline + 1);
    const ready = combined.slice(0, lastNewline + 1);
    if (this.#partial.length >= this.maxLineLength) {
      const rest = this.#partial;
      this.#partial = '';
      return ready + rest + '\n';
    }
    return ready;
  }

  /** Releases an unfinished last line, terminated with `\n` so every piece handed out is whole lines. */
  end(): string {
    const rest = this.#partial;
    this.#partial = '';
    return rest.length > 0 ? rest + '\n' : '';
  }
}
