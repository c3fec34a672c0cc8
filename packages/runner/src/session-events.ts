/**
 * Reads the structured events a session writes on fd 3 (see shell-script.ts): NUL-terminated fields, the first
 * field of each event naming its kind and fixing how many fields follow. Chunks may end anywhere.
 */

export type SessionEvent =
  | { kind: 'phase-start'; phase: number }
  | { kind: 'step-start'; step: number }
  | { kind: 'step-end'; step: number; exitCode: number }
  | { kind: 'phase-end'; phase: number }
  | { kind: 'export'; name: string; value: string }
  | { kind: 'done' };

const ARITY: Record<string, number> = { P: 1, S: 1, X: 2, Q: 1, V: 2, D: 0 };

export class SessionEventParser {
  #rest: Buffer = Buffer.alloc(0);
  #fields: string[] = [];

  /** Feeds bytes; returns the events completed by them. Unknown kinds are dropped. */
  push(chunk: Buffer): SessionEvent[] {
    const events: SessionEvent[] = [];
    let buffer = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    for (let nul = buffer.indexOf(0); nul !== -1; nul = buffer.indexOf(0)) {
      this.#fields.push(buffer.subarray(0, nul).toString('utf8'));
      buffer = buffer.subarray(nul + 1);
      const arity = ARITY[this.#fields[0]!];
      if (arity === undefined) this.#fields = [];
      else if (this.#fields.length === arity + 1) {
        const event = toEvent(this.#fields);
        this.#fields = [];
        if (event) events.push(event);
      }
    }
    this.#rest = Buffer.from(buffer);
    return events;
  }
}

function toEvent([kind, a, b]: string[]): SessionEvent | undefined {
  const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
  switch (kind) {
    case 'P':
    case 'Q': {
      const phase = number(a);
      return phase === undefined ? undefined : { kind: kind === 'P' ? 'phase-start' : 'phase-end', phase };
    }
    case 'S': {
      const step = number(a);
      return step === undefined ? undefined : { kind: 'step-start', step };
    }
    case 'X': {
      const step = number(a);
      const exitCode = number(b);
      return step === undefined || exitCode === undefined ? undefined : { kind: 'step-end', step, exitCode };
    }
    case 'V':
      return { kind: 'export', name: a!, value: b! };
    case 'D':
      return { kind: 'done' };
    default:
      return undefined;
  }
}
