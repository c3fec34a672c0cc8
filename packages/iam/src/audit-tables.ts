import type { Migration } from '@gantry/store';

/**
 * The audit trail, one row per event per account that sees it (a cross-account AssumeRole is a row in the
 * role's account and one in the caller's, as CloudTrail delivers it to both). The columns are what lookups
 * filter and sort by; `record` is the whole CloudTrail-shaped event as JSON, written once and never updated.
 */
export type AuditTables = {
  audit_events: {
    /** Unique per row (CloudTrail's `eventID`). */
    event_id: string;
    /** The account the event belongs to (`recipientAccountId`). */
    account_id: string;
    /** ISO-8601 with milliseconds, so text order is time order. */
    event_time: string;
    event_name: string;
    event_source: string;
    /** The caller's name as LookupEvents' `Username` gives it: user name, role session name or service principal. */
    username: string | null;
    /** The resource the event acted on (the role of an AssumeRole). */
    resource_arn: string | null;
    /** Set when the call failed (`AccessDenied`…). */
    error_code: string | null;
    record: string;
  };
};

export const auditEventsMigration: Migration = {
  name: 'iam-0002-audit-events',
  async up(db) {
    await db.schema.createTable('audit_events')
      .addColumn('event_id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('event_time', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('event_source', 'text', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('resource_arn', 'text')
      .addColumn('error_code', 'text')
      .addColumn('record', 'text', (c) => c.notNull())
      .execute();
    // Lookups are always per account, newest first; by role when asked for one.
    await db.schema.createIndex('audit_events_by_time').on('audit_events').columns(['account_id', 'event_time', 'event_id']).execute();
    await db.schema.createIndex('audit_events_by_resource').on('audit_events').columns(['account_id', 'resource_arn', 'event_time']).execute();
  },
};
