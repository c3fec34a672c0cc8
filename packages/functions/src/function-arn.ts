import type { FunctionScope } from './function-plane.ts';

export const functionArn = (scope: FunctionScope, name: string): string => `arn:aws:lambda:${scope.region}:${scope.account}:function:${name}`;

/** The CloudWatch Logs group Lambda writes a function's logs to. */
export const logGroupName = (name: string): string => `/aws/lambda/${name}`;

export const logGroupArn = (scope: FunctionScope, name: string): string => `arn:aws:logs:${scope.region}:${scope.account}:log-group:${logGroupName(name)}:*`;

/** What a `FunctionName` parameter names: a function of an account (the caller's unless an ARN says otherwise). */
export interface FunctionReference {
  name: string;
  /** The account an ARN names, when it names one. */
  account?: string;
  /** The region a full ARN names. */
  region?: string;
  /** `:<qualifier>` of an ARN, or the `Qualifier` parameter. */
  qualifier?: string;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;

/**
 * Parses a Lambda `FunctionName`: a name (`my-function`), a partial ARN (`123456789012:function:my-function`) or
 * a full ARN (`arn:aws:lambda:us-east-1:123456789012:function:my-function`), each optionally with `:<qualifier>`.
 * Returns undefined when it is none of these.
 */
export function parseFunctionReference(value: string): FunctionReference | undefined {
  if (NAME.test(value)) return { name: value };
  const full = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d{1}):(\d{12}):function:([a-zA-Z0-9-_]{1,64})(?::([a-zA-Z0-9-_$]+))?$/.exec(value);
  if (full) return { region: full[1], account: full[2], name: full[3]!, qualifier: full[4] };
  const partial = /^(\d{12}):function:([a-zA-Z0-9-_]{1,64})(?::([a-zA-Z0-9-_$]+))?$/.exec(value);
  if (partial) return { account: partial[1], name: partial[2]!, qualifier: partial[3] };
  const qualified = /^([a-zA-Z0-9-_]{1,64}):([a-zA-Z0-9-_$]+)$/.exec(value);
  if (qualified) return { name: qualified[1]!, qualifier: qualified[2] };
  return undefined;
}
