/**
 * Where each statement sits in a policy's JSON text, for the policy simulator's `MatchedStatements`
 * `StartPosition` / `EndPosition`.
 *
 * Positions follow what IAM returns: 1-based lines and columns, each pointing just past the statement's
 * opening `{` and just past its closing `}`. (The AWS CLI example for `simulate-custom-policy` evaluates the
 * one-line policy `{"Version":"2012-10-17","Statement":{"Effect":"Allow",...}}`, 167 characters, whose
 * statement braces sit in columns 37 and 166, and reports StartPosition 1:38 and EndPosition 1:167.)
 */

export interface TextPosition {
  line: number;
  column: number;
}

export interface StatementPosition {
  start: TextPosition;
  end: TextPosition;
}

/**
 * The position of every element of the top-level `Statement` (one entry when it is a single object), in
 * document order. Empty when the text is not a JSON object with a `Statement`.
 */
export function statementPositions(text: string): StatementPosition[] {
  const scanner = new Scanner(text);
  const spans = scanner.statementSpans();
  if (spans === undefined) return [];
  const lines = lineStarts(text);
  return spans.map(([open, close]) => ({ start: locate(lines, open + 1), end: locate(lines, close + 1) }));
}

/** Offsets where each line begins. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function locate(lines: number[], offset: number): TextPosition {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (lines[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - lines[low] + 1 };
}

class SyntaxFailure extends Error {}

/** Just enough of a JSON reader to find value boundaries; values themselves are skipped, not built. */
class Scanner {
  private at = 0;

  constructor(private readonly text: string) {}

  /** [first, last] offsets of each statement value, or undefined when the text is not a policy object. */
  statementSpans(): Array<[number, number]> | undefined {
    try {
      this.skipSpace();
      if (this.text[this.at] !== '{') return undefined;
      let spans: Array<[number, number]> | undefined;
      this.eachMember((key) => {
        if (key !== 'Statement') return this.skipValue();
        spans = this.text[this.at] === '[' ? this.elementSpans() : [this.valueSpan()];
      });
      return spans;
    } catch (error) {
      if (error instanceof SyntaxFailure) return undefined;
      throw error;
    }
  }

  private elementSpans(): Array<[number, number]> {
    const spans: Array<[number, number]> = [];
    this.expect('[');
    this.skipSpace();
    if (this.text[this.at] === ']') {
      this.at++;
      return spans;
    }
    for (;;) {
      this.skipSpace();
      spans.push(this.valueSpan());
      this.skipSpace();
      if (this.text[this.at] === ']') {
        this.at++;
        return spans;
      }
      this.expect(',');
    }
  }

  private valueSpan(): [number, number] {
    this.skipSpace();
    const first = this.at;
    this.skipValue();
    return [first, this.at - 1];
  }

  /** Calls `onMember` with each key of the object at the cursor, the cursor on the member's value. */
  private eachMember(onMember: (key: string) => void): void {
    this.expect('{');
    this.skipSpace();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const keyStart = this.at;
      this.skipString();
      const key = JSON.parse(this.text.slice(keyStart, this.at)) as string;
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      onMember(key);
      this.skipSpace();
      if (this.text[this.at] === '}') {
        this.at++;
        return;
      }
      this.expect(',');
    }
  }

  private skipValue(): void {
    this.skipSpace();
    const ch = this.text[this.at];
    if (ch === '{') this.eachMember(() => this.skipValue());
    else if (ch === '[') this.elementSpans();
    else if (ch === '"') this.skipString();
    else {
      const literal = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.at, this.at + 64));
      if (!literal) throw new SyntaxFailure();
      this.at += literal[0].length;
    }
  }

  private skipString(): void {
    this.expect('"');
    for (;;) {
      const ch = this.text[this.at++];
      if (ch === undefined) throw new SyntaxFailure();
      if (ch === '\\') this.at++;
      else if (ch === '"') return;
    }
  }

  private skipSpace(): void {
    while (this.at < this.text.length && ' \t\n\r'.includes(this.text[this.at])) this.at++;
  }

  private expect(ch: string): void {
    if (this.text[this.at] !== ch) throw new SyntaxFailure();
    this.at++;
  }
}
