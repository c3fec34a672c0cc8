/**
 * git's pkt-line framing: four hex digits giving the length of the line including themselves, then the
 * payload. `0000` is a flush packet (end of a section); `0001`–`0003` are protocol v2 delimiters, which the
 * v0 receive-pack exchange never uses.
 */
export type Packet = { type: 'data'; payload: Buffer } | { type: 'flush' } | { type: 'special'; code: number };

/** The largest packet git writes (LARGE_PACKET_MAX): 65516 bytes of payload plus the 4 length digits. */
export const MAX_PACKET = 65520;

export class PktLineError extends Error {}

export function encodePktLine(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (data.length + 4 > MAX_PACKET) throw new PktLineError(`pkt-line payload of ${data.length} bytes is too long`);
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'ascii'), data]);
}

export const FLUSH_PKT = Buffer.from('0000', 'ascii');

/** An incremental pkt-line reader: feed it bytes as they arrive, take complete packets out. */
export class PktLineReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of complete packets taken out so far. */
  consumed = 0;

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }

  /** The next complete packet, or undefined until more bytes arrive. Throws PktLineError on malformed input. */
  next(): Packet | undefined {
    if (this.buffer.length < 4) return undefined;
    const digits = this.buffer.toString('latin1', 0, 4);
    if (!/^[0-9a-f]{4}$/i.test(digits)) throw new PktLineError(`expected a pkt-line length, found ${JSON.stringify(digits)}`);
    const length = parseInt(digits, 16);
    if (length < 4) {
      this.take(4);
      return length === 0 ? { type: 'flush' } : { type: 'special', code: length };
    }
    if (length > MAX_PACKET) throw new PktLineError(`pkt-line length ${length} exceeds the maximum of ${MAX_PACKET}`);
    if (this.buffer.length < length) return undefined;
    const payload = Buffer.from(this.buffer.subarray(4, length));
    this.take(length);
    return { type: 'data', payload };
  }

  private take(n: number): void {
    this.buffer = this.buffer.subarray(n);
    this.consumed += n;
  }
}
