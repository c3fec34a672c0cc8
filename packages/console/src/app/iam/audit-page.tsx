import { useState } from 'preact/hooks';
import { lookupEvents, type AuditEvent } from '../api/iam.ts';
import { Pager } from '../components/pager.tsx';
import { Button, EmptyState, ErrorMessage, Field, Spinner, Time } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { IamTabs } from './iam-tabs.tsx';

interface Filters { eventName: string; roleArn: string; startTime: string; endTime: string }
const NONE: Filters = { eventName: '', roleArn: '', startTime: '', endTime: '' };
/** A `datetime-local` value (the user's time zone) as ISO-8601. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The account's audit trail (`cloudtrail:LookupEvents`): newest first, filtered, a page at a time. */
export function AuditPage() {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [filters, setFilters] = useState<Filters>(NONE);
  const paged = useTokenPages(async (nextToken) => {
    const page = await lookupEvents({
      eventName: filters.eventName.trim() || undefined, roleArn: filters.roleArn.trim() || undefined,
      startTime: iso(filters.startTime), endTime: iso(filters.endTime), nextToken, maxResults: 25,
    });
    return { items: page.events, next: page.nextToken };
  }, [filters]);
  const events = paged.page;
  const set = (key: keyof Filters) => (e: Event) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value });
  return (
    <main class="page">
      <div class="page-head"><h1>IAM</h1></div>
      <IamTabs current="audit" />
      <form class="inline-form filters" aria-label="Filter events" onSubmit={(e) => { e.preventDefault(); setFilters(draft); }}>
        <Field id="audit-event" label="Event name"><input id="audit-event" list="audit-event-names" placeholder="AssumeRole" value={draft.eventName} onInput={set('eventName')} /></Field>
        <datalist id="audit-event-names">{['AssumeRole', 'GetSessionToken', 'ConsoleLogin', 'CreateRole', 'CreateUser', 'CreateAccessKey'].map((n) => <option key={n} value={n} />)}</datalist>
        <Field id="audit-role" label="Role ARN"><input id="audit-role" value={draft.roleArn} spellcheck={false} onInput={set('roleArn')} /></Field>
        <Field id="audit-from" label="From"><input id="audit-from" type="datetime-local" value={draft.startTime} onInput={set('startTime')} /></Field>
        <Field id="audit-to" label="To"><input id="audit-to" type="datetime-local" value={draft.endTime} onInput={set('endTime')} /></Field>
        <Button type="submit" busy={events.loading}>Search</Button>
        {filters !== NONE && <Button type="button" variant="secondary" onClick={() => { setDraft(NONE); setFilters(NONE); }}>Clear</Button>}
      </form>
      {events.loading && !events.data && <Spinner label="Loading events" />}
      <ErrorMessage error={events.error} />
      {events.data?.items.length === 0 && paged.index === 0 && (
        <EmptyState title="No events match">
          <p>Role sessions (AssumeRole), sign-ins and changes to IAM are recorded here; widen the filters to see more.</p>
        </EmptyState>
      )}
      {events.data && events.data.items.length > 0 && (
        <table class="table" aria-label="Events">
          <thead><tr><th>Time</th><th>Event</th><th>User</th><th>Resources</th><th>Result</th><th /></tr></thead>
          <tbody>{events.data.items.map((e) => <EventRow key={e.EventId} event={e} />)}</tbody>
        </table>
      )}
      <Pager paged={paged} previous="Newer" next="Older" />
    </main>
  );
}

function EventRow({ event }: { event: AuditEvent }) {
  const [open, setOpen] = useState(false);
  const record = parse(event.CloudTrailEvent);
  const errorCode = typeof record.errorCode === 'string' ? record.errorCode : undefined;
  return (
    <>
      <tr data-event={event.EventName}>
        <td class="small"><Time value={event.EventTime} /></td>
        <td><strong>{event.EventName}</strong><div class="muted small">{event.EventSource}</div></td>
        <td class="small">{event.Username ?? '—'}</td>
        <td class="mono small">{event.Resources.map((r) => <div key={r.ResourceName}>{r.ResourceName}</div>)}</td>
        <td>{errorCode ? <span class="badge status-failed">{errorCode}</span> : <span class="badge status-succeeded">OK</span>}</td>
        <td><Button class="small" variant="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide' : 'Details'}</Button></td>
      </tr>
      {open && <tr><td colSpan={6}><pre class="policy-document">{JSON.stringify(record, null, 2)}</pre></td></tr>}
    </>
  );
}

function parse(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
