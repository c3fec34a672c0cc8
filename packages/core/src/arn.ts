/** Amazon Resource Names: `arn:partition:service:region:account:resource`. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export const DEFAULT_PARTITION = 'aws';

export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, account] = parts as [string, string, string, string, string];
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

export const formatArn = (arn: Arn): string =>
  `arn:${arn.partition}:${arn.service}:${arn.region}:${arn.account}:${arn.resource}`;

export const isAccountId = (value: string): boolean => /^\d{12}$/.test(value);
