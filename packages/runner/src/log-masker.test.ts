import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineBuffer } from './line-buffer.ts';
import { LogMasker } from './log-masker.ts';
import { LogStream } from './log-stream.ts';

/** Feeds `text` cut at the given positions and returns everything released. */
function feed(secrets: string[], pieces: string[]): string {
  const masker = new LogMasker(secrets);
  return pieces.map((piece) => masker.push(piece)).join('') + masker.end();
}

describe('LogMasker', () => {
  test('masks every occurrence in one chunk', () => {
    assert.equal(feed(['tok3n'], ['a tok3n and tok3n.']), 'a *** and ***.');
  });

  test('masks a secret split across chunks, however it is cut', () => {
    const text = 'before s3cr3t-value after s3cr3t-value';
    for (let cut = 0; cut <= text.length; cut++) {
      for (let second = cut; second <= text.length; second += 3) {
        assert.equal(feed(['s3cr3t-value'], [text.slice(0, cut), text.slice(cut, second), text.slice(second)]), 'before *** after ***', `cut at ${cut}/${second}`);
      }
    }
  });

  test('releases text as soon as it cannot be part of a secret', () => {
    const masker = new LogMasker(['secret']);
    assert.equal(masker.push('hello se'), 'hello ');
    assert.equal(masker.push('cr'), '');
    assert.equal(masker.push('et!'), '***!');
    assert.equal(masker.push('sex'), 'sex');
    assert.equal(masker.push('s'), '');
    assert.equal(masker.end(), 's');
  });

  test('a longer secret sharing a prefix with a shorter one is masked whole', () => {
    assert.equal(feed(['ab', 'abcdef'], ['xx ab', 'cdef yy ab z']), 'xx *** yy *** z');
  });

  test('overlapping and adjacent occurrences collapse into one mask, also across chunks', () => {
    assert.equal(feed(['abc', 'bcd'], ['xabcdx']), 'x***x');
    assert.equal(feed(['aa'], ['aaaaa']), '***');
    for (let cut = 0; cut <= 6; cut++) {
      const text = 'xaaaaa';
      const out = feed(['aa'], [text.slice(0, cut), text.slice(cut)]);
      assert.ok(!out.includes('a'), `cut ${cut}: ${out}`);
    }
    assert.equal(feed(['aXa'], ['aX', 'aXa']), '***');
  });

  test('matches the one-shot result for random texts and random cuts', () => {
    const secrets = ['abab', 'ba', 'xyzzy', 'b\nq'];
    const alphabet = 'abxyzq\n ';
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 40 }, () => alphabet[random(alphabet.length)]).join('');
      const pieces: string[] = [];
      for (let at = 0; at < text.length; ) {
        const size = random(6);
        pieces.push(text.slice(at, at + size));
        at += size;
      }
      const streamed = feed(secrets, pieces);
      // Masks may be drawn at different places (one `***` or two), but no secret character may survive.
      const leftovers = (s: string) => s.replace(/\*+/g, '|');
      for (const secret of secrets) assert.ok(!streamed.includes(secret), `${JSON.stringify(text)} → ${JSON.stringify(streamed)}`);
      assert.equal(leftovers(streamed).replace(/\|+/g, '|'), leftovers(new LogMasker(secrets).maskAll(text)).replace(/\|+/g, '|'), JSON.stringify({ text, pieces }));
    }
  });

  test('empty secrets are ignored; no secrets means pass-through', () => {
    const masker = new LogMasker(['', '']);
    assert.equal(masker.empty, true);
    assert.equal(masker.push('anything'), 'anything');
    assert.equal(masker.end(), '');
  });
});

describe('LineBuffer', () => {
  test('releases whole lines and flushes the rest at the end', () => {
    const lines = new LineBuffer();
    assert.equal(lines.push('a'), '');
    assert.equal(lines.push('b\nc'), 'ab\n');
    assert.equal(lines.push('\n\nd'), 'c\n\n');
    assert.equal(lines.end(), 'd\n');
    assert.equal(lines.end(), '');
  });

  test('releases an overlong line in pieces', () => {
    const lines = new LineBuffer(10);
    assert.equal(lines.push('0123456789abc'), '0123456789abc\n');
    assert.equal(lines.push('x\n0123456789'), 'x\n0123456789\n');
  });
});

describe('LogStream', () => {
  test('decodes UTF-8 split across chunks, masks, and hands out whole lines', () => {
    const out: string[] = [];
    const stream = new LogStream(['clé'], (text) => out.push(text));
    const bytes = Buffer.from('une clé: clé\nsuite é');
    for (const byte of bytes) stream.write(Buffer.from([byte]));
    stream.end();
    assert.equal(out.join(''), 'une ***: ***\nsuite é\n');
    for (const piece of out) assert.ok(piece.endsWith('\n'));
  });
});
