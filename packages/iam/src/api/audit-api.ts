import { GantryError } from '@gantry/core';
import type { AuditEvent } from '../audit-events.ts';
import type { Iam } from '../iam-service.ts';
import { callerAccount, type Operation } from './operation.ts';

type Params = Record<string, unknown>;

/** An event as CloudTrail's LookupEvents lists it: summary fields, and the whole record as a JSON string. */
export const auditEventShape = (e: AuditEvent) => ({
  EventId: e.eventId,
  EventName: e.eventName,
  ReadOnly: String(e.record.readOnly),
  EventTime: e.eventTime.toISOString(),
  EventSource: e.eventSource,
  ...(e.username ? { Username: e.username } : {}),
  Resources: e.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
  CloudTrailEvent: JSON.stringify(e.record),
});

/**
 * The REST-JSON service the edge serves the audit trail as: `GET /_gantry/audit-events`, signed for
 * `cloudtrail`, authorised as `cloudtrail:LookupEvents`, and always the caller's own account's trail.
 * Query parameters: `eventName`, `roleArn`, `startTime`, `endTime` (ISO-8601 or epoch seconds), `maxResults`
 * (1–50), `nextToken`.
 */
export function auditEventsRestService(iam: Iam) {
  const operations = auditOperations(iam);
  return {
    name: 'audit-events',
    signingName: 'cloudtrail',
    prefix: '/_gantry/audit-events',
    endpoints: [{ method: 'GET', path: '/_gantry/audit-events', operation: operations.lookupEvents }],
  };
}

export function auditOperations(iam: Iam): { lookupEvents: Operation } {
  return {
    lookupEvents: {
      action: 'cloudtrail:LookupEvents',
      async run(p: Params, call) {
        const page = await iam.lookupEvents({
          account: callerAccount(call),
          eventName: optionalString(p, 'eventName'),
          roleArn: optionalString(p, 'roleArn'),
          startTime: optionalTime(p, 'startTime'),
          endTime: optionalTime(p, 'endTime'),
          maxResults: p.maxResults === undefined ? undefined : Number(p.maxResults),
          nextToken: optionalString(p, 'nextToken'),
        });
        return { Events: page.events.map(auditEventShape), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      },
    },
  };
}

function optionalString(p: Params, name: string): string | undefined {
  const value = p[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new GantryError('InvalidParameterValue', `${name} must be a string.`);
  return value;
}

/** ISO-8601, or seconds since the epoch as the AWS CLI sends CloudTrail times. */
function optionalTime(p: Params, name: string): Date | undefined {
  const value = optionalString(p, name);
  if (value === undefined) return undefined;
  const time = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(time.getTime())) throw new GantryError('InvalidParameterValue', `${name} '${value}' is not a time: give ISO-8601 (2025-01-31T09:00:00Z) or seconds since the epoch.`);
  return time;
}
