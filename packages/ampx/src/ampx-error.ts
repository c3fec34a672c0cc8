/**
 * A user-facing failure, printed the way the Amplify CLI prints its errors: a name, what happened, and how
 * to resolve it.
 */
export class AmpxError extends Error {
  constructor(readonly errorName: string, message: string, readonly resolution?: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  format(): string {
    return `[${this.errorName}] ${this.message}${this.resolution ? `\nResolution: ${this.resolution}` : ''}`;
  }
}
