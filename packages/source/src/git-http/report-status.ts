import { encodePktLine, FLUSH_PKT, PktLineReader } from './pkt-line.ts';
import type { RefUpdate } from './receive-commands.ts';

/** The outcome of a push as git receive-pack reported it to the client. */
export interface PushReport {
  /** `ok`, or why the pack was refused. */
  unpack: string;
  /** Per ref: undefined when updated, else git's reason. */
  refs: Map<string, string | undefined>;
}

/** Did the client ask for the pushed result to come back multiplexed on side-band channels? */
export const usesSideband = (capabilities: string[]): boolean =>
  capabilities.includes('side-band-64k') || capabilities.includes('side-band');

export const wantsReport = (capabilities: string[]): boolean =>
  capabilities.includes('report-status') || capabilities.includes('report-status-v2');

/**
 * Reads the report-status git receive-pack sends back (`unpack ok`, `ok <ref>`, `ng <ref> <reason>`), as it
 * streams to the client. With side-band the report is itself pkt-lines inside channel 1. Which refs really
 * changed is taken from here: checking the refs afterwards would race with the next push.
 */
export class ReportStatusTap {
  private outer = new PktLineReader();
  private inner = new PktLineReader();
  private unpack: string | undefined;
  private refs = new Map<string, string | undefined>();
  private complete = false;
  private broken = false;

  constructor(private readonly sideband: boolean) {}

  push(chunk: Buffer): void {
    if (this.complete || this.broken) return;
    try {
      if (!this.sideband) return this.readReport(chunk);
      this.outer.push(chunk);
      for (let packet = this.outer.next(); packet; packet = this.outer.next()) {
        if (packet.type !== 'data') continue;
        if (packet.payload[0] === 1) this.readReport(packet.payload.subarray(1));
      }
    } catch {
      // Not a report we understand: the caller falls back to looking at the refs.
      this.broken = true;
    }
  }

  /** The report, once complete; undefined if none (or an unreadable one) came. */
  result(): PushReport | undefined {
    return this.complete && !this.broken && this.unpack !== undefined ? { unpack: this.unpack, refs: this.refs } : undefined;
  }

  private readReport(bytes: Buffer): void {
    this.inner.push(bytes);
    for (let packet = this.inner.next(); packet; packet = this.inner.next()) {
      if (packet.type === 'flush') {
        this.complete = true;
        return;
      }
      if (packet.type !== 'data') continue;
      const line = packet.payload.toString('utf8').replace(/\n$/, '');
      if (line.startsWith('unpack ')) this.unpack = line.slice(7);
      else if (line.startsWith('ok ')) this.refs.set(line.slice(3), undefined);
      else if (line.startsWith('ng ')) {
        const [ref, ...reason] = line.slice(3).split(' ');
        this.refs.set(ref!, reason.join(' ') || 'rejected');
      }
      // `option …` lines (report-status-v2) qualify the line before; nothing here needs them.
    }
  }
}

/**
 * A receive-pack result refusing every update of a push without running git: what the client gets when
 * IAM denies one of its refs. git prints each as `! [remote rejected] <ref> (<reason>)`, and with
 * side-band the `message` too, as `remote: <message>`.
 */
export function rejectionReport(updates: RefUpdate[], capabilities: string[], reasons: Map<string, string>, message: string): Buffer {
  const lines = [encodePktLine('unpack ok\n')];
  for (const update of updates) {
    const reason = reasons.get(update.ref) ?? 'not updated: another ref in this push was denied';
    lines.push(encodePktLine(`ng ${update.ref} ${reason.replace(/[\r\n]+/g, ' ')}\n`));
  }
  lines.push(FLUSH_PKT);
  const report = Buffer.concat(lines);
  if (!usesSideband(capabilities)) return report;
  const band = (channel: number, data: Buffer) => encodePktLine(Buffer.concat([Buffer.from([channel]), data]));
  const out = [band(2, Buffer.from(`${message.slice(0, 800)}\n`, 'utf8'))];
  // side-band (not -64k) limits packets to 1000 bytes; 900-byte slices fit both.
  for (let i = 0; i < report.length; i += 900) out.push(band(1, report.subarray(i, i + 900)));
  out.push(FLUSH_PKT);
  return Buffer.concat(out);
}
