/**
 * ARN matching for the Arn* condition operators: "Each of the six colon-delimited components of the ARN is
 * checked separately and each can include multi-character match wildcards (*) or single-character match
 * wildcards (?)" (condition operators reference). So `*` cannot cross a `:` before the resource part, which
 * is where `ArnLike` and `StringLike` differ. The resource part is everything after the fifth colon.
 */
import { compileGlob, type Glob, type GlobPart } from './glob.ts';

const SEGMENTS = 6;

export interface ArnPattern {
  matches(arn: string): boolean;
}

/**
 * Compiles a pattern already resolved into glob parts. Colons split segments in substituted values too, so
 * `${aws:PrincipalArn}` can be compared as a whole ARN. Undefined when the pattern has fewer than six parts.
 */
export function compileArnPattern(parts: readonly GlobPart[]): ArnPattern | undefined {
  const segments: GlobPart[][] = [[]];
  for (const part of parts) {
    let rest = part.text;
    let colon = rest.indexOf(':');
    while (colon >= 0 && segments.length < SEGMENTS) {
      segments[segments.length - 1].push({ text: rest.slice(0, colon), literal: part.literal });
      segments.push([]);
      rest = rest.slice(colon + 1);
      colon = rest.indexOf(':');
    }
    segments[segments.length - 1].push({ text: rest, literal: part.literal });
  }
  if (segments.length < SEGMENTS) return undefined;
  const globs = segments.map((segment) => compileGlob(segment, false));
  return { matches: (arn) => segmentsMatch(globs, arn) };
}

function segmentsMatch(globs: Glob[], arn: string): boolean {
  let start = 0;
  for (let i = 0; i < SEGMENTS - 1; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0 || !globs[i].matches(arn.slice(start, colon))) return false;
    start = colon + 1;
  }
  return globs[SEGMENTS - 1].matches(arn.slice(start));
}
