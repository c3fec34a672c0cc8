import { GantryError } from '@gantry/core';
import { PktLineError, PktLineReader } from './pkt-line.ts';

/** One ref update a push asks for. A zero object id as `oldId` creates the ref; as `newId` deletes it. */
export interface RefUpdate {
  oldId: string;
  newId: string;
  /** Full ref name, e.g. `refs/heads/main`. */
  ref: string;
}

export interface ReceiveCommands {
  updates: RefUpdate[];
  /** Capabilities the client asked for on its first command line (`report-status`, `side-band-64k`…). */
  capabilities: string[];
  /**
   * Every byte read from the body so far, commands and whatever followed them in the same chunks: the
   * request is forwarded to git unchanged, these first and then the rest of the stream.
   */
  head: Buffer[];
}

const OBJECT_ID = '(?:[0-9a-f]{40}|[0-9a-f]{64})';
const COMMAND = new RegExp(`^(${OBJECT_ID}) (${OBJECT_ID}) (\\S+)$`);
const SHALLOW = new RegExp(`^shallow ${OBJECT_ID}$`);

export const isZeroId = (id: string): boolean => /^0+$/.test(id);

/**
 * Reads the command section of a `git-receive-pack` request (pkt-lines up to the first flush) from the
 * start of its body, so each ref can be authorised before git sees the request and the push's outcome can
 * be reported afterwards. The pack data after the flush is left unread in `body`.
 */
export async function readReceiveCommands(body: AsyncIterator<Buffer>, maxBytes: number): Promise<ReceiveCommands> {
  const reader = new PktLineReader();
  const head: Buffer[] = [];
  const updates: RefUpdate[] = [];
  let capabilities: string[] | undefined;
  let read = 0;
  for (;;) {
    let packet;
    try {
      packet = reader.next();
    } catch (error) {
      throw invalid((error as PktLineError).message);
    }
    if (packet === undefined) {
      if (read > maxBytes) throw new GantryError('RequestEntityTooLarge', `The list of ref updates in this push is larger than ${maxBytes} bytes. Push fewer refs at a time.`);
      const next = await body.next();
      if (next.done) throw invalid('the request ended before the list of ref updates was complete');
      head.push(next.value);
      read += next.value.length;
      reader.push(next.value);
      continue;
    }
    if (packet.type === 'flush') break;
    if (packet.type === 'special') throw invalid(`unexpected control packet ${packet.code.toString(16).padStart(4, '0')}`);
    let line = packet.payload.toString('utf8');
    if (capabilities === undefined) {
      const nul = line.indexOf('\0');
      capabilities = nul < 0 ? [] : line.slice(nul + 1).trim().split(' ').filter(Boolean);
      if (nul >= 0) line = line.slice(0, nul);
    }
    line = line.replace(/\n$/, '');
    if (SHALLOW.test(line)) continue;
    const match = COMMAND.exec(line);
    if (!match) throw invalid(`${JSON.stringify(line.slice(0, 120))} is not a ref update (<old-id> <new-id> <ref>)`);
    updates.push({ oldId: match[1]!, newId: match[2]!, ref: match[3]! });
  }
  return { updates, capabilities: capabilities ?? [], head };
}

const invalid = (why: string) =>
  new GantryError('ValidationError', `This is not a git-receive-pack request: ${why}. Push with a git client.`);
