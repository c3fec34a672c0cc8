import { queryCall, text } from './query-protocol.ts';

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** STS GetCallerIdentity: the account and principal the console acts as. */
export async function getCallerIdentity(): Promise<CallerIdentity> {
  const root = await queryCall('sts', '2011-06-15', 'GetCallerIdentity');
  return { account: text(root, 'Account') ?? '', arn: text(root, 'Arn') ?? '', userId: text(root, 'UserId') ?? '' };
}
