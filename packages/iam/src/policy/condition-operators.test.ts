/**
 * Condition operators (reference_policies_elements_condition_operators) and set operators
 * (reference_policies_multi-value-conditions), each rule as documented.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConditionBlock, ContextKeys } from './policy-types.ts';
import { compileCondition, isKnownConditionOperator } from './condition-operators.ts';
import { RequestContext } from './request-context.ts';

const holds = (condition: ConditionBlock, context: ContextKeys, variables = true): boolean =>
  compileCondition(condition, variables)!(new RequestContext(context));

type Case = [name: string, condition: ConditionBlock, context: ContextKeys, expected: boolean];

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const [name, condition, context, expected] of cases) test(name, () => assert.equal(holds(condition, context), expected));
  });
}

table('String operators', [
  ['StringEquals: exact match', { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, { 'aws:PrincipalTag/job-category': 'iamuser-admin' }, true],
  ['StringEquals is case-sensitive', { StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } }, { 'aws:PrincipalTag/job-category': 'IAMUser-Admin' }, false],
  ['StringEquals: several values OR (one matches)', { StringEquals: { 'iam:ResourceTag/costCenter': ['12345', '67890'] } }, { 'iam:ResourceTag/costCenter': '67890' }, true],
  ['StringEquals: several values, none matches', { StringEquals: { 'iam:ResourceTag/costCenter': ['12345', '67890'] } }, { 'iam:ResourceTag/costCenter': '11111' }, false],
  ['StringEquals: a missing key makes the condition false', { StringEquals: { 'aws:PrincipalTag/job-category': 'x' } }, {}, false],
  ['StringNotEquals: a value outside the list holds', { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } }, { 'aws:RequestedRegion': 'eu-west-1' }, true],
  ['StringNotEquals: the listed value fails', { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } }, { 'aws:RequestedRegion': 'us-east-1' }, false],
  ['StringNotEquals over several values is AND: any listed value fails', { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } }, { 'aws:RequestedRegion': 'us-west-2' }, false],
  ['StringNotEquals over several values holds when none is equal', { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'us-west-2'] } }, { 'aws:RequestedRegion': 'eu-west-1' }, true],
  ['StringNotEquals: "the right key is not present, the condition is true"', { StringNotEquals: { 'aws:PrincipalTag/team': 'a' } }, {}, true],
  ['StringEqualsIgnoreCase ignores case', { StringEqualsIgnoreCase: { 'aws:PrincipalTag/env': 'Prod' } }, { 'aws:PrincipalTag/env': 'PROD' }, true],
  ['StringEqualsIgnoreCase still needs the same text', { StringEqualsIgnoreCase: { 'aws:PrincipalTag/env': 'Prod' } }, { 'aws:PrincipalTag/env': 'production' }, false],
  ['StringNotEqualsIgnoreCase fails on a case-only difference', { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/env': 'Prod' } }, { 'aws:PrincipalTag/env': 'prod' }, false],
  ['StringNotEqualsIgnoreCase holds on other text', { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/env': 'Prod' } }, { 'aws:PrincipalTag/env': 'dev' }, true],
  ['StringLike: * matches a run of characters (t2.*)', { StringLike: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, { 'ec2:InstanceType': 't2.micro' }, true],
  ['StringLike: no listed pattern matches', { StringLike: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, { 'ec2:InstanceType': 'c5.large' }, false],
  ['StringLike: ? matches one character', { StringLike: { 'ec2:InstanceType': 't?.micro' } }, { 'ec2:InstanceType': 't3.micro' }, true],
  ['StringLike is case-sensitive', { StringLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'HOME/x' }, false],
  ['StringLike: "You must specify wildcards to achieve partial string matches"', { StringLike: { 's3:prefix': 'home' } }, { 's3:prefix': 'home/x' }, false],
  ['StringLike: an empty pattern matches an empty value (doc s3:prefix example)', { StringLike: { 's3:prefix': ['', 'home/'] } }, { 's3:prefix': '' }, true],
  ['StringLike: wildcards may appear anywhere', { StringLike: { 'sns:endpoint': 'https://*.example.com/*' } }, { 'sns:endpoint': 'https://api.example.com/hook' }, true],
  ['StringNotLike fails when a pattern matches', { StringNotLike: { 's3:prefix': 'home/*' } }, { 's3:prefix': 'home/x' }, false],
  ['StringNotLike holds when no pattern matches', { StringNotLike: { 's3:prefix': ['home/*', 'public/*'] } }, { 's3:prefix': 'secret/x' }, true],
  ['StringNotLike holds on a missing key (negated operator)', { StringNotLike: { 's3:prefix': 'home/*' } }, {}, true],
  ['policy values written as JSON numbers compare as strings', { StringEquals: { 's3:max-keys': 10 } }, { 's3:max-keys': '10' }, true],
]);

table('Numeric operators', [
  ['NumericLessThanEquals s3:max-keys 10 allows 10 (doc example)', { NumericLessThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, true],
  ['NumericLessThanEquals s3:max-keys 10 rejects 11', { NumericLessThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '11' }, false],
  ['NumericEquals compares numbers, not text (10 = 10.0)', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10.0' }, true],
  ['NumericEquals fails on a different number', { NumericEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '9' }, false],
  ['NumericNotEquals holds on a different number', { NumericNotEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '5' }, true],
  ['NumericNotEquals fails on the same number', { NumericNotEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' }, false],
  ['NumericLessThan is strict', { NumericLessThan: { 'k:n': '10' } }, { 'k:n': '10' }, false],
  ['NumericLessThan holds below', { NumericLessThan: { 'k:n': '0' } }, { 'k:n': '-1.5' }, true],
  ['NumericGreaterThan holds above', { NumericGreaterThan: { 'k:n': '2.5' } }, { 'k:n': '3' }, true],
  ['NumericGreaterThan is strict', { NumericGreaterThan: { 'k:n': '3' } }, { 'k:n': '3' }, false],
  ['NumericGreaterThanEquals holds at the bound', { NumericGreaterThanEquals: { 'k:n': '3' } }, { 'k:n': '3' }, true],
  ['a non-numeric request value never matches NumericEquals', { NumericEquals: { 'k:n': '10' } }, { 'k:n': 'ten' }, false],
  ['a non-numeric request value does not satisfy NumericNotEquals either', { NumericNotEquals: { 'k:n': '10' } }, { 'k:n': 'ten' }, false],
  ['an empty request value is not the number 0', { NumericEquals: { 'k:n': '0' } }, { 'k:n': '' }, false],
  ['NumericEquals on a missing key is false', { NumericEquals: { 'k:n': '1' } }, {}, false],
  ['NumericNotEquals on a missing key is true (negated operator)', { NumericNotEquals: { 'k:n': '1' } }, {}, true],
  ['"You can not use a policy variable with the Numeric condition operator"', { NumericEquals: { 'k:n': '${k:limit}' } }, { 'k:n': '5', 'k:limit': '5' }, false],
]);

table('Date operators', [
  ['DateGreaterThan aws:TokenIssueTime 2020-01-01T00:00:01Z (doc example): issued later', { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, { 'aws:TokenIssueTime': '2020-06-01T00:00:00Z' }, true],
  ['DateGreaterThan: issued earlier fails', { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, { 'aws:TokenIssueTime': '2019-12-31T23:59:59Z' }, false],
  ['DateGreaterThan: a missing aws:TokenIssueTime (long-term keys) fails', { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } }, {}, false],
  ['simulate-custom-policy example: CurrentTime 2019-04-25 is after 2018-08-16T12:00:00Z', { DateGreaterThan: { 'aws:CurrentTime': '2018-08-16T12:00:00Z' } }, { 'aws:CurrentTime': '2019-04-25T11:00:00Z' }, true],
  ['simulate-principal-policy example: CurrentTime 2018-04-25 is before it', { DateGreaterThan: { 'aws:CurrentTime': '2018-08-16T12:00:00Z' } }, { 'aws:CurrentTime': '2018-04-25T11:00:00Z' }, false],
  ['epoch seconds in the request compare with an ISO policy date (aws:EpochTime)', { DateLessThan: { 'aws:EpochTime': '2030-01-01T00:00:00Z' } }, { 'aws:EpochTime': '1735689600' }, true],
  ['an epoch policy value compares with an ISO request date', { DateGreaterThanEquals: { 'aws:CurrentTime': '1577836800' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, true],
  ['DateEquals compares instants across zone offsets', { DateEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-01T01:00:00+01:00' }, true],
  ['DateNotEquals fails on the same instant', { DateNotEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00.000Z' }, false],
  ['DateNotEquals holds on another instant', { DateNotEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-02T00:00:00Z' }, true],
  ['DateLessThanEquals holds at the same instant', { DateLessThanEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, true],
  ['DateLessThan is strict', { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, false],
  ['a W3C date without a time is midnight UTC', { DateEquals: { 'aws:CurrentTime': '2020-01-01' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, true],
  ['a malformed request date satisfies no Date operator, not even DateNotEquals', { DateNotEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': 'yesterday' }, false],
  ['"Wildcards are not permitted for date condition operators"', { DateEquals: { 'aws:CurrentTime': '2020-*' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, false],
  ['"You can not use a policy variable with the Date condition operator"', { DateEquals: { 'aws:CurrentTime': '${aws:TokenIssueTime}' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z', 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, false],
  ['an impossible calendar date is malformed', { DateLessThan: { 'aws:CurrentTime': '2030-02-30T00:00:00Z' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, false],
]);

table('Bool operator', [
  ['Bool aws:SecureTransport "false" matches a plain-HTTP request (doc example)', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'false' }, true],
  ['Bool aws:SecureTransport "false" does not match TLS', { Bool: { 'aws:SecureTransport': 'false' } }, { 'aws:SecureTransport': 'true' }, false],
  ['Bool is case-insensitive on both sides', { Bool: { 'aws:SecureTransport': 'True' } }, { 'aws:SecureTransport': 'TRUE' }, true],
  ['Bool accepts a JSON boolean in the policy', { Bool: { 'aws:MultiFactorAuthPresent': true } }, { 'aws:MultiFactorAuthPresent': 'true' }, true],
  ['Bool on a missing key is false (aws:MultiFactorAuthPresent with long-term keys)', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }, {}, false],
  ['BoolIfExists on a missing key is true', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {}, true],
  ['BoolIfExists still tests a present key', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, { 'aws:MultiFactorAuthPresent': 'true' }, false],
  ['"You can use a policy variable with the Boolean condition operator"', { Bool: { 'aws:SecureTransport': '${k:expected}' } }, { 'aws:SecureTransport': 'true', 'k:expected': 'true' }, true],
  ['a request value that is not a boolean never matches', { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'yes' }, false],
]);

table('BinaryEquals', [
  ['BinaryEquals compares the bytes of a base-64 value', { BinaryEquals: { 'k:bin': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, { 'k:bin': Buffer.from('BinaryValueInBase64').toString('base64') }, true],
  ['BinaryEquals fails on other bytes', { BinaryEquals: { 'k:bin': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, { 'k:bin': Buffer.from('other').toString('base64') }, false],
  ['BinaryEquals on a missing key is false', { BinaryEquals: { 'k:bin': 'QQ==' } }, {}, false],
]);

table('IP address operators', [
  ['IpAddress 203.0.113.0/24 contains 203.0.113.7 (doc example)', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.7' }, true],
  ['IpAddress 203.0.113.0/24 does not contain 203.0.114.1', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.114.1' }, false],
  ['an address without a prefix means /32', { IpAddress: { 'aws:SourceIp': '203.0.113.7' } }, { 'aws:SourceIp': '203.0.113.8' }, false],
  ['an address without a prefix matches itself', { IpAddress: { 'aws:SourceIp': '203.0.113.7' } }, { 'aws:SourceIp': '203.0.113.7' }, true],
  ['IPv6 range 2001:DB8:1234:5678::/64 contains an address in it (doc example)', { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }, true],
  ['IPv6 range excludes the next /64', { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5679::1' }, false],
  ['mixed IPv4 and IPv6 ranges (doc example) match an IPv6 caller', { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } }, { 'aws:SourceIp': '2001:db8:1234:5678::9' }, true],
  ['NotIpAddress holds outside the range', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '198.51.100.1' }, true],
  ['NotIpAddress fails inside the range', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.200' }, false],
  ['NotIpAddress over several ranges is AND', { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } }, { 'aws:SourceIp': '198.51.100.1' }, false],
  ['an IPv4-mapped IPv6 caller is compared as IPv4', { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:127.0.0.1' }, true],
  ['a non-octet prefix /20 includes the top of the block', { IpAddress: { 'aws:SourceIp': '10.0.16.0/20' } }, { 'aws:SourceIp': '10.0.31.255' }, true],
  ['a non-octet prefix /20 excludes the next block', { IpAddress: { 'aws:SourceIp': '10.0.16.0/20' } }, { 'aws:SourceIp': '10.0.32.0' }, false],
  ['/0 contains every IPv4 address', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '8.8.8.8' }, true],
  ['an IPv4 range does not contain an IPv6 address', { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '2001:db8::1' }, false],
  ['a range written with host bits set still matches its network', { IpAddress: { 'aws:SourceIp': '203.0.113.5/24' } }, { 'aws:SourceIp': '203.0.113.99' }, true],
  ['a malformed caller address satisfies neither IpAddress nor NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': 'not-an-ip' }, false],
  ['IpAddress without aws:SourceIp (VPC endpoint) is false', { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, {}, false],
  ['NotIpAddress without aws:SourceIp is true (negated operator)', { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, {}, true],
  ['"You can not use a policy variable with the IpAddress condition operator"', { IpAddress: { 'aws:SourceIp': '${k:net}' } }, { 'aws:SourceIp': '10.0.0.1', 'k:net': '10.0.0.0/8' }, false],
]);

table('ARN operators', [
  ['ArnEquals: the same ARN (doc SQS/SNS example)', { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } }, { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' }, true],
  ['ArnLike: * in the region segment', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:topic' } }, { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:123456789012:topic' }, true],
  ['ArnLike: * cannot cross a colon (doc example fails)', { ArnLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } }, { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, false],
  ['StringLike: the same doc example succeeds because * crosses colons', { StringLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } }, { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, true],
  ['"ArnEquals and ArnLike behave identically": ArnEquals honours wildcards', { ArnEquals: { 'aws:SourceArn': 'arn:aws:s3:::amplify-*' } }, { 'aws:SourceArn': 'arn:aws:s3:::amplify-bucket' }, true],
  ['ArnLike: the resource part may contain colons, and * spans them there', { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:*' } }, { 'aws:SourceArn': 'arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s' }, true],
  ['ArnLike is case-sensitive', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::Bucket' } }, { 'aws:SourceArn': 'arn:aws:s3:::bucket' }, false],
  ['ArnLike: ? matches one character in a segment', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-?:123456789012:t' } }, { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:t' }, true],
  ['ArnNotLike fails on a matching ARN', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin-*' } }, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin-ops' }, false],
  ['ArnNotEquals holds on another ARN', { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin-*' } }, { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/dev' }, true],
  ['ArnEquals on a missing aws:SourceArn is false (direct calls)', { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } }, {}, false],
  ['ArnLike never matches a value that is not an ARN', { ArnLike: { 'aws:SourceArn': 'arn:aws:*:*:*:*' } }, { 'aws:SourceArn': 'not-an-arn' }, false],
  ['ArnNotLike holds for a value that is not an ARN', { ArnNotLike: { 'aws:SourceArn': 'arn:aws:*:*:*:*' } }, { 'aws:SourceArn': 'not-an-arn' }, true],
  ['ArnLike with a policy variable holding a whole ARN', { ArnLike: { 'aws:SourceArn': '${aws:PrincipalArn}' } }, { 'aws:SourceArn': 'arn:aws:iam::111122223333:role/r', 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/r' }, true],
]);

table('Null operator', [
  ['Null "true" holds when the key is absent (doc: no temporary credentials)', { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true],
  ['Null "true" fails when the key is present', { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }, false],
  ['Null "false" holds when the key is present', { Null: { 'aws:TagKeys': 'false' } }, { 'aws:TagKeys': ['a'] }, true],
  ['Null "false" fails when the key is absent', { Null: { 'aws:TagKeys': 'false' } }, {}, false],
  ['Null accepts a JSON boolean', { Null: { 'aws:TokenIssueTime': true } }, {}, true],
  ['"IfExists ... except the Null condition": NullIfExists is not an operator', { NullIfExists: { 'aws:TokenIssueTime': 'true' } }, {}, false],
]);

table('...IfExists', [
  ['StringLikeIfExists ec2:InstanceType: a resource without the key passes (doc example)', { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, {}, true],
  ['StringLikeIfExists: a present key is tested normally and may pass', { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, { 'ec2:InstanceType': 'm3.large' }, true],
  ['StringLikeIfExists: a present key is tested normally and may fail', { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } }, { 'ec2:InstanceType': 'p4d.24xlarge' }, false],
  ['StringNotEqualsIfExists on a missing key is true ("the request is still denied")', { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'ops' } }, {}, true],
  ['NumericLessThanIfExists on a missing key is true', { NumericLessThanIfExists: { 's3:max-keys': '10' } }, {}, true],
  ['IpAddressIfExists on a missing aws:SourceIp is true', { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true],
]);

const requestedAttributes = ['PostDateTime', 'Message', 'Tags'];
table('Set operators ForAllValues / ForAnyValue', [
  ['ForAllValues:StringLike: every requested attribute is allowed (doc example)', { 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': requestedAttributes } }, { 'dynamodb:requestedAttributes': ['PostDateTime', 'Message'] }, true],
  ['ForAllValues:StringLike: UserName is not in the list, so it fails (doc example)', { 'ForAllValues:StringLike': { 'dynamodb:requestedAttributes': requestedAttributes } }, { 'dynamodb:requestedAttributes': ['PostDateTime', 'UserName'] }, false],
  ['ForAnyValue:StringLike: PostDateTime is one of ID, PostDateTime (doc example)', { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } }, { 'dynamodb:requestedAttributes': ['UserName', 'Message', 'PostDateTime'] }, true],
  ['ForAnyValue:StringLike: UserName alone matches nothing (doc example)', { 'ForAnyValue:StringLike': { 'dynamodb:requestedAttributes': ['ID', 'PostDateTime'] } }, { 'dynamodb:requestedAttributes': ['UserName'] }, false],
  ['ForAllValues on a missing key is true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, {}, true],
  ['ForAnyValue on a missing key is false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }, {}, false],
  ['ForAllValues on an empty set is true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': [] }, true],
  ['ForAnyValue on an empty set is false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': [] }, false],
  ['"an empty string" is an empty data set: ForAllValues true', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': '' }, true],
  ['"an empty string" is an empty data set: ForAnyValue false', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': [''] } }, { 'aws:TagKeys': '' }, false],
  ['a multi-valued key without a set operator never matches', { StringEquals: { 'aws:CalledVia': 'cloudformation.amazonaws.com' } }, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] }, false],
  ['a multi-valued key without a set operator is false for negated operators too', { StringNotEquals: { 'aws:CalledVia': 'x.amazonaws.com' } }, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] }, false],
  ['a single-valued key is a one-element set for ForAnyValue', { 'ForAnyValue:StringEquals': { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, { 'aws:RequestedRegion': 'eu-west-1' }, true],
  ['ForAllValues:StringNotEquals: no request value is in the list', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['owner', 'cost'] } }, { 'aws:TagKeys': ['env', 'team'] }, true],
  ['ForAllValues:StringNotEquals: one request value is in the list', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['owner', 'cost'] } }, { 'aws:TagKeys': ['env', 'owner'] }, false],
  ['ForAnyValue:StringNotEquals: some request value is not in the list', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['env', 'team'] }, true],
  ['ForAnyValue:StringNotEquals: every request value is in the list', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['env', 'team'] } }, { 'aws:TagKeys': ['team', 'env'] }, false],
  ['ForAnyValue:StringEquals aws:CalledVia (AdministratorAccess-Amplify)', { 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } }, { 'aws:CalledVia': ['cloudformation.amazonaws.com'] }, true],
  ['ForAnyValue:StringEqualsIfExists on a missing key is true', { 'ForAnyValue:StringEqualsIfExists': { 'aws:CalledVia': ['cloudformation.amazonaws.com'] } }, {}, true],
  ['ForAllValues paired with Null "false" rejects the missing key it would otherwise accept', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] }, Null: { 'aws:TagKeys': 'false' } }, {}, false],
]);

table('Condition block logic', [
  ['two operators must both hold (AND)', { StringEquals: { 'aws:PrincipalTag/team': 'ops' }, Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:PrincipalTag/team': 'ops', 'aws:SecureTransport': 'true' }, true],
  ['two operators: one failing fails the block', { StringEquals: { 'aws:PrincipalTag/team': 'ops' }, Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:PrincipalTag/team': 'ops', 'aws:SecureTransport': 'false' }, false],
  ['two keys under one operator must both hold (AND)', { StringEquals: { 'sns:Protocol': 'https', 'aws:PrincipalTag/team': 'ops' } }, { 'sns:Protocol': 'https', 'aws:PrincipalTag/team': 'dev' }, false],
  ['operator names are case-insensitive', { stringequals: { 'aws:PrincipalTag/team': 'ops' } }, { 'aws:PrincipalTag/team': 'ops' }, true],
  ['"Key names are case-insensitive": policy AWS:CurrentTime finds aws:CurrentTime', { DateGreaterThan: { 'AWS:currenttime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2021-01-01T00:00:00Z' }, true],
  ['key names are case-insensitive in the request context too', { StringEquals: { 'aws:PrincipalTag/team': 'ops' } }, { 'AWS:PRINCIPALTAG/TEAM': 'ops' }, true],
  ['set-operator prefixes are case-insensitive', { 'foranyvalue:stringequals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['env'] }, true],
  ['an unknown operator makes the block false', { StringMatches: { 'aws:PrincipalTag/team': 'ops' } }, { 'aws:PrincipalTag/team': 'ops' }, false],
  ['an unknown set prefix makes the block false', { 'ForSomeValues:StringEquals': { 'aws:TagKeys': ['env'] } }, { 'aws:TagKeys': ['env'] }, false],
  ['a key named like an Object member is just missing', { StringEquals: { constructor: 'x' } }, {}, false],
]);

describe('isKnownConditionOperator', () => {
  const cases: Array<[string, boolean]> = [
    ['StringEqualsIfExists', true],
    ['ForAllValues:ArnLikeIfExists', true],
    ['ForAnyValue:StringNotLike', true],
    ['Null', true],
    ['NullIfExists', false],
    ['ForAnyValue:Null', false],
    ['StringMatches', false],
    ['IfExists', false],
  ];
  for (const [name, known] of cases) test(`${name} is ${known ? '' : 'not '}an operator`, () => assert.equal(isKnownConditionOperator(name), known));
});
