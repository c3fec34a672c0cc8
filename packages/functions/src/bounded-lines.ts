import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a worker's message stream into lines, holding at most `maxLength` characters of an unfinished one: the
 * code in the worker can write to the stream directly, so a line without end must not fill the server's memory.
 * Past the limit `onOverflow` is called once and the rest of the stream is ignored. Only each new chunk is
 * searched for line ends, so a long line costs its length, not its length squared.
 */
export function boundedLines(stream: Readable, maxLength: number, onLine: (line: string) => void, onOverflow: () => void): void {
  const decoder = new StringDecoder('utf8');
  let pieces: string[] = [];
  let pending = 0;
  let overflowed = false;
  stream.on('data', (chunk: Buffer) => {
    if (overflowed) return;
    const text = decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      pieces.push(text.slice(start, end));
      onLine(pieces.join(''));
      pieces = [];
      pending = 0;
      start = end + 1;
    }
    pieces.push(text.slice(start));
    pending += text.length - start;
    if (pending > maxLength) {
      overflowed = true;
      pieces = [];
      onOverflow();
    }
  });
}
