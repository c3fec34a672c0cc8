/**
 * The AWS regions of the commercial partition, the one table every region check reads. Regions launched
 * before March 2019 are enabled in every account and cannot be disabled; later ones are opt-in: usable by an
 * account only once it enabled them (Account Management's EnableRegion), as on AWS.
 *
 * Sources: the AWS Account Management guide ("Specify which AWS Regions your account can use") and the
 * Regions and Availability Zones document history (ap-east-2 June 2025, ap-southeast-6 September 2025).
 */
export interface AwsRegion {
  /** The region code SigV4 scopes and SDKs use. @example 'eu-west-1' */
  name: string;
  /** @example 'Europe (Ireland)' */
  description: string;
  /** Usable only after the account enabled it. */
  optIn: boolean;
}

const region = (name: string, description: string, optIn = false): AwsRegion => ({ name, description, optIn });

/** Sorted by name: ListRegions pages through them in this order. */
export const AWS_REGIONS: readonly AwsRegion[] = [
  region('af-south-1', 'Africa (Cape Town)', true),
  region('ap-east-1', 'Asia Pacific (Hong Kong)', true),
  region('ap-east-2', 'Asia Pacific (Taipei)', true),
  region('ap-northeast-1', 'Asia Pacific (Tokyo)'),
  region('ap-northeast-2', 'Asia Pacific (Seoul)'),
  region('ap-northeast-3', 'Asia Pacific (Osaka)'),
  region('ap-south-1', 'Asia Pacific (Mumbai)'),
  region('ap-south-2', 'Asia Pacific (Hyderabad)', true),
  region('ap-southeast-1', 'Asia Pacific (Singapore)'),
  region('ap-southeast-2', 'Asia Pacific (Sydney)'),
  region('ap-southeast-3', 'Asia Pacific (Jakarta)', true),
  region('ap-southeast-4', 'Asia Pacific (Melbourne)', true),
  region('ap-southeast-5', 'Asia Pacific (Malaysia)', true),
  region('ap-southeast-6', 'Asia Pacific (New Zealand)', true),
  region('ap-southeast-7', 'Asia Pacific (Thailand)', true),
  region('ca-central-1', 'Canada (Central)'),
  region('ca-west-1', 'Canada West (Calgary)', true),
  region('eu-central-1', 'Europe (Frankfurt)'),
  region('eu-central-2', 'Europe (Zurich)', true),
  region('eu-north-1', 'Europe (Stockholm)'),
  region('eu-south-1', 'Europe (Milan)', true),
  region('eu-south-2', 'Europe (Spain)', true),
  region('eu-west-1', 'Europe (Ireland)'),
  region('eu-west-2', 'Europe (London)'),
  region('eu-west-3', 'Europe (Paris)'),
  region('il-central-1', 'Israel (Tel Aviv)', true),
  region('me-central-1', 'Middle East (UAE)', true),
  region('me-south-1', 'Middle East (Bahrain)', true),
  region('mx-central-1', 'Mexico (Central)', true),
  region('sa-east-1', 'South America (São Paulo)'),
  region('us-east-1', 'US East (N. Virginia)'),
  region('us-east-2', 'US East (Ohio)'),
  region('us-west-1', 'US West (N. California)'),
  region('us-west-2', 'US West (Oregon)'),
];

/** The region an account's profile uses when none was chosen. */
export const DEFAULT_REGION = 'us-west-2';

const BY_NAME = new Map(AWS_REGIONS.map((r) => [r.name, r]));
// Every authenticated request asks one of these, so they are plain Set lookups.
const DEFAULT_ENABLED = new Set(AWS_REGIONS.filter((r) => !r.optIn).map((r) => r.name));
const OPT_IN = new Set(AWS_REGIONS.filter((r) => r.optIn).map((r) => r.name));

export const awsRegion = (name: string): AwsRegion | undefined => BY_NAME.get(name);
export const isKnownRegion = (name: string): boolean => BY_NAME.has(name);
/** Enabled in every account, for good. */
export const isDefaultRegion = (name: string): boolean => DEFAULT_ENABLED.has(name);
export const isOptInRegion = (name: string): boolean => OPT_IN.has(name);

/** What to tell someone who named a region that does not exist. */
export function unknownRegionHint(name: string): string {
  return `'${name}' is not an AWS region: use a region code such as us-west-2 or eu-west-1 ('gantry accounts regions <account>' or 'aws account list-regions' lists them all).`;
}
