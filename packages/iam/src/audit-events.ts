import { randomBytes, randomUUID } from 'node:crypto';
import { GantryError } from '@gantry/core';
import type { CloudTrailRecord } from './audit-record.ts';
import type { AuditTables } from './audit-tables.ts';
import type { IamContext } from './iam-context.ts';

/** One event of an account's audit trail, as `lookupEvents` returns it. */
export interface AuditEvent {
  eventId: string;
  eventName: string;
  eventTime: Date;
  eventSource: string;
  /** The caller's user name, role session name or service principal. */
  username?: string;
  /** @example [{ type: 'AWS::IAM::Role', name: 'arn:aws:iam::123456789012:role/deploy' }] */
  resources: Array<{ type: string; name: string }>;
  errorCode?: string;
  /** The whole event, in CloudTrail's record format. */
  record: CloudTrailRecord;
}

export interface LookupEventsArgs {
  /** The account whose trail is read (12 digits). */
  account: string;
  /** Only events of this name. @example 'AssumeRole' */
  eventName?: string;
  /** Only events about this role ARN. */
  roleArn?: string;
  /** Only events at or after this time. */
  startTime?: Date;
  /** Only events at or before this time. */
  endTime?: Date;
  /** 1 to 50. @default 50 */
  maxResults?: number;
  /** The `nextToken` of the previous page, unchanged. */
  nextToken?: string;
}

/** What a caller of `recordEvent` fills in; ids, the recipient account and the event time are added per copy. */
export type EventDraft = Omit<CloudTrailRecord, 'eventID' | 'recipientAccountId' | 'sharedEventID' | 'eventTime' | 'eventVersion' | 'eventType' | 'managementEvent' | 'eventCategory'>;

const auditDb = (ctx: IamContext) => ctx.db.withTables<AuditTables>();

/**
 * Records one event in the trail of every account in `accounts` (duplicates ignored), with a single insert:
 * the caller pays one statement whatever the number of copies. Copies share a `sharedEventID`, as CloudTrail's
 * do when one call concerns two accounts.
 */
export async function recordEvent(ctx: IamContext, draft: EventDraft, accounts: Array<string | undefined>, meta: { username?: string } = {}): Promise<void> {
  const recipients = [...new Set(accounts.filter((a): a is string => !!a))];
  if (recipients.length === 0) return;
  const time = ctx.now();
  const eventTime = time.toISOString();
  const shared = recipients.length > 1 ? randomUUID() : undefined;
  const rows = recipients.map((account) => {
    const eventID = timeOrderedId();
    const record: CloudTrailRecord = {
      eventVersion: '1.08', ...draft, eventTime: eventTime.replace(/\.\d{3}Z$/, 'Z'), eventID,
      eventType: 'AwsApiCall', managementEvent: true, recipientAccountId: account,
      ...(shared ? { sharedEventID: shared } : {}), eventCategory: 'Management',
    };
    return {
      event_id: eventID, account_id: account, event_time: eventTime, event_name: draft.eventName, event_source: draft.eventSource,
      username: meta.username ?? null, resource_arn: draft.resources[0]?.ARN ?? null, error_code: draft.errorCode ?? null,
      record: JSON.stringify(record),
    };
  });
  await auditDb(ctx).insertInto('audit_events').values(rows).execute();
}

let lastMs = 0;
let sequence = 0;

/**
 * A UUID (version 7 layout) whose text order is creation order within the process: a millisecond timestamp,
 * then a counter for events in the same millisecond, then random bits. Lookups break ties of `event_time`
 * by id, so events of one millisecond still list in the order they happened.
 */
function timeOrderedId(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = 0;
  } else if (++sequence > 0xfff) {
    lastMs++;
    sequence = 0;
  }
  const hex = lastMs.toString(16).padStart(12, '0') + '7' + sequence.toString(16).padStart(3, '0');
  const random = randomBytes(8);
  random[0] = (random[0]! & 0x3f) | 0x80;
  const tail = random.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

const MAX_RESULTS = 50;

/** An account's events, newest first, a page at a time. */
export async function lookupEvents(ctx: IamContext, args: LookupEventsArgs): Promise<{ events: AuditEvent[]; nextToken?: string }> {
  const size = args.maxResults ?? MAX_RESULTS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_RESULTS)
    throw new GantryError('InvalidParameterValue', `maxResults must be a whole number from 1 to ${MAX_RESULTS} (got ${args.maxResults}).`);
  for (const [name, time] of [['startTime', args.startTime], ['endTime', args.endTime]] as const)
    if (time !== undefined && Number.isNaN(time.getTime())) throw new GantryError('InvalidParameterValue', `${name} is not a valid time: give an ISO-8601 time or seconds since the epoch.`);
  if (args.startTime && args.endTime && args.startTime > args.endTime)
    throw new GantryError('InvalidParameterValue', `startTime ${args.startTime.toISOString()} is after endTime ${args.endTime.toISOString()}: the time range is empty.`);

  let query = auditDb(ctx).selectFrom('audit_events').selectAll().where('account_id', '=', args.account);
  if (args.eventName) query = query.where('event_name', '=', args.eventName);
  if (args.roleArn) query = query.where('resource_arn', '=', args.roleArn);
  if (args.startTime) query = query.where('event_time', '>=', args.startTime.toISOString());
  if (args.endTime) query = query.where('event_time', '<=', args.endTime.toISOString());
  if (args.nextToken !== undefined) {
    const [time, id] = decodeToken(args.nextToken);
    query = query.where((eb) => eb.or([eb('event_time', '<', time), eb.and([eb('event_time', '=', time), eb('event_id', '<', id)])]));
  }
  const rows = await query.orderBy('event_time', 'desc').orderBy('event_id', 'desc').limit(size + 1).execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    events: page.map(toEvent),
    nextToken: rows.length > size && last ? encodeToken([last.event_time, last.event_id]) : undefined,
  };
}

function toEvent(row: AuditTables['audit_events']): AuditEvent {
  const record = JSON.parse(row.record) as CloudTrailRecord;
  return {
    eventId: row.event_id, eventName: row.event_name, eventTime: new Date(row.event_time), eventSource: row.event_source,
    ...(row.username ? { username: row.username } : {}),
    resources: record.resources.map((r) => ({ type: r.type, name: r.ARN })),
    ...(row.error_code ? { errorCode: row.error_code } : {}),
    record,
  };
}

const encodeToken = (key: [string, string]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeToken(token: string): [string, string] {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === 'string')) return key as [string, string];
  } catch {
    // Reported below like any other token that did not come from a previous page.
  }
  throw new GantryError('InvalidParameterValue', 'Invalid nextToken: pass the nextToken of the previous response unchanged, or omit it to start from the newest event.');
}
