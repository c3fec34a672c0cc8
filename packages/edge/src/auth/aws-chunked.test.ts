// The aws-chunked decoder on its own: framing split at every possible byte, trailers, and the ways a body
// can be malformed. Chunk signatures are exercised end to end by the storage tests with the real server.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AwsChunkedDecoder } from './aws-chunked.ts';

async function decode(encoded: string, pieceSize: number): Promise<{ bytes: string; trailers: Map<string, string> }> {
  const buffer = Buffer.from(encoded, 'latin1');
  const pieces: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += pieceSize) pieces.push(buffer.subarray(i, i + pieceSize));
  const decoder = new AwsChunkedDecoder();
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(pieces).pipe(decoder)) out.push(chunk as Buffer);
  return { bytes: Buffer.concat(out).toString('latin1'), trailers: decoder.trailers };
}

const BODY = '5\r\nhello\r\n7\r\n, world\r\n0\r\nx-amz-checksum-crc32:abcd==\r\n\r\n';

test('decodes chunks and trailers however the bytes are split', async () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    const { bytes, trailers } = await decode(BODY, size);
    assert.equal(bytes, 'hello, world', `pieces of ${size}`);
    assert.deepEqual([...trailers], [['x-amz-checksum-crc32', 'abcd==']]);
  }
  assert.equal((await decode('3;chunk-ext=1\r\nabc\r\n0\r\n\r\n', 1)).bytes, 'abc');
  assert.equal((await decode('3\r\nabc\r\n0\r\n', 4)).bytes, 'abc', 'a last chunk with nothing after it');
});

test('refuses bodies that end early, overrun a chunk or carry garbage', async () => {
  const code = async (encoded: string) => decode(encoded, 4).then(() => 'decoded', (error: { code?: string }) => error.code);
  assert.equal(await code('5\r\nhel'), 'InvalidParameterValue');
  assert.equal(await code('5\r\nhello world\r\n0\r\n\r\n'), 'InvalidParameterValue');
  assert.equal(await code('zz\r\nhello\r\n'), 'InvalidParameterValue');
  assert.equal(await code('5\r\nhello\r\n0\r\nnot a header\r\n\r\n'), 'InvalidParameterValue');
  assert.equal(await code(`${'1'.repeat(5000)}`), 'InvalidParameterValue');
});
