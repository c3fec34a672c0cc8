/**
 * The demo's progress report: one line per event, each stamped with the time since the demo started, so a
 * log of it reads the same in a terminal, a CI log or a file (no spinners, no cursor movement). Goes to stderr
 * when stdout is reserved for the JSON summary.
 */
export class DemoProgress {
  private readonly started = Date.now();
  private stepStarted = Date.now();
  private stepNumber = 0;
  private readonly lastStatus = new Map<string, string>();
  private lines = 0;

  constructor(private readonly out: NodeJS.WritableStream, private readonly totalSteps: number) {}

  /** Starts a numbered step; the previous one is taken as done. */
  step(title: string): void {
    this.stepNumber++;
    this.stepStarted = Date.now();
    this.line(`[${this.stepNumber}/${this.totalSteps}] ${title}`);
  }

  /** Closes the current step with what it amounted to and how long it took. */
  done(summary: string): void {
    this.line(`      ${summary} (${seconds(Date.now() - this.stepStarted)})`);
  }

  /** A detail of the current step: what is being created, reused or changed. */
  note(text: string): void {
    this.line(`      ${text}`);
  }

  /** A status of something long-running; printed only when it changes, with how long that thing has been followed. */
  status(subject: string, status: string, since?: number): void {
    if (this.lastStatus.get(subject) === status) return;
    this.lastStatus.set(subject, status);
    this.line(`      ${subject}: ${status}${since === undefined ? '' : ` after ${seconds(Date.now() - since)}`}`);
  }

  /** Lines copied from a log, indented under the step they explain. */
  excerpt(title: string, text: string): void {
    this.line(`      ${title}`);
    for (const line of text.replace(/\n$/, '').split('\n')) this.out.write(`        | ${line}\n`);
  }

  /** Plain text without a time stamp (the closing summary). */
  print(text: string): void {
    this.out.write(`${text}\n`);
  }

  /** How many stamped lines have been printed: lets a follower tell whether anything new was said. */
  get printedLines(): number {
    return this.lines;
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  private line(text: string): void {
    this.lines++;
    this.out.write(`${`[${seconds(Date.now() - this.started)}]`.padStart(9)} ${text}\n`);
  }
}

/** `12.3 s`, `2 min 05 s`. */
export function seconds(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const whole = Math.round(ms / 1000);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}
