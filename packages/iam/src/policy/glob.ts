/**
 * The IAM wildcard language: `*` matches any run of characters (including none, and including `/` and `:`),
 * `?` matches exactly one character. Used by Action, Resource, StringLike and the ARN operators.
 *
 * A pattern is compiled once into the literal pieces between its `*`s, and matched without RegExps: the
 * first piece is anchored at the start, the last at the end, and the middle ones are found left to right.
 * Taking the leftmost place for each middle piece is always safe because every piece has a fixed length.
 */

/** A run of pattern text: `literal` text (a substituted policy variable, an escape) has no wildcards. */
export interface GlobPart {
  text: string;
  literal: boolean;
}

interface Piece {
  text: string;
  /** 1 where the pattern had `?`; undefined when the piece has none (then plain string search is enough). */
  wild: Uint8Array | undefined;
}

export interface Glob {
  /** `text` must already be lower-cased when the glob was compiled with `foldCase`. */
  matches(text: string): boolean;
}

const MATCH_ALL: Glob = { matches: () => true };

export function compileGlob(parts: readonly GlobPart[], foldCase: boolean): Glob {
  const pieces: Piece[] = [];
  let text = '';
  let wildAt: number[] = [];
  let afterStar = false;
  const endPiece = () => {
    pieces.push({ text, wild: wildAt.length === 0 ? undefined : maskOf(wildAt, text.length) });
    text = '';
    wildAt = [];
  };
  for (const part of parts) {
    const source = foldCase ? part.text.toLowerCase() : part.text;
    if (part.literal) {
      text += source;
      if (source.length > 0) afterStar = false;
      continue;
    }
    for (const ch of source) {
      if (ch === '*') {
        // `**` is the same as `*`: a second star in a row would only add an empty middle piece.
        if (!afterStar) endPiece();
        afterStar = true;
        continue;
      }
      afterStar = false;
      if (ch === '?') wildAt.push(text.length);
      text += ch;
    }
  }
  endPiece();
  if (pieces.length === 2 && pieces[0].text === '' && pieces[1].text === '') return MATCH_ALL;
  return new PieceGlob(pieces);
}

/** Compiles a pattern with no policy variables. */
export const compileGlobText = (pattern: string, foldCase = false): Glob =>
  compileGlob([{ text: pattern, literal: false }], foldCase);

/** True when the text has glob wildcards (so an exact comparison is not enough). */
export const hasWildcards = (pattern: string): boolean => pattern.includes('*') || pattern.includes('?');

function maskOf(positions: number[], length: number): Uint8Array {
  const mask = new Uint8Array(length);
  for (const p of positions) mask[p] = 1;
  return mask;
}

class PieceGlob implements Glob {
  private readonly pieces: Piece[];
  private readonly minLength: number;

  constructor(pieces: Piece[]) {
    this.pieces = pieces;
    this.minLength = pieces.reduce((sum, piece) => sum + piece.text.length, 0);
  }

  matches(text: string): boolean {
    const { pieces } = this;
    const first = pieces[0];
    if (pieces.length === 1) return text.length === first.text.length && pieceAt(first, text, 0);
    if (text.length < this.minLength || !pieceAt(first, text, 0)) return false;
    const last = pieces[pieces.length - 1];
    const lastStart = text.length - last.text.length;
    if (!pieceAt(last, text, lastStart)) return false;
    let pos = first.text.length;
    for (let i = 1; i < pieces.length - 1; i++) {
      const piece = pieces[i];
      const found = findPiece(piece, text, pos, lastStart - piece.text.length);
      if (found < 0) return false;
      pos = found + piece.text.length;
    }
    return true;
  }
}

function pieceAt(piece: Piece, text: string, at: number): boolean {
  const { wild } = piece;
  if (wild === undefined) return text.startsWith(piece.text, at);
  const p = piece.text;
  if (at + p.length > text.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (wild[i] === 0 && p.charCodeAt(i) !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost start ≥ `from` and ≤ `maxStart` where the piece matches, or -1. */
function findPiece(piece: Piece, text: string, from: number, maxStart: number): number {
  if (piece.wild === undefined) {
    const found = text.indexOf(piece.text, from);
    return found >= 0 && found <= maxStart ? found : -1;
  }
  for (let at = from; at <= maxStart; at++) if (pieceAt(piece, text, at)) return at;
  return -1;
}
