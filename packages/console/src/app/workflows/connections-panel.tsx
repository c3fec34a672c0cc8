import { useState } from 'preact/hooks';
import { codecatalyst, type Connection } from '../api/codecatalyst.ts';
import { Button, EmptyState, ErrorMessage, Field, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { session } from '../state/session.ts';

/**
 * A space's account connections: ask another account to connect (CreateConnection), see whether it accepted,
 * and which of its roles the space's workflows may assume. A connection is decided, and given roles, by a
 * principal of the connected account: when that is the account signed in, the row offers it here.
 */
export function ConnectionsPanel({ space }: { space: string }) {
  const connections = useLoad(() => codecatalyst.listConnections(space), [space]);
  const [name, setName] = useState('');
  const [accountId, setAccountId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await codecatalyst.createConnection(space, { name: name.trim(), accountId: accountId.trim() });
      setName('');
      setAccountId('');
      await connections.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Account connections">
      {connections.loading && !connections.data && <Spinner label="Loading connections" />}
      <ErrorMessage error={connections.error} />
      {connections.data?.length === 0 && (
        <EmptyState title="No account connections">
          <p>Connect the accounts your workflows deploy to. The account's owner then accepts the connection and adds the roles actions may assume.</p>
        </EmptyState>
      )}
      {connections.data && connections.data.length > 0 && <ConnectionTable connections={connections.data} onChanged={connections.reload} />}
      <h3 class="section-title">Connect an account</h3>
      <form class="inline-form" onSubmit={submit} aria-label="Connect an account">
        <Field id="connection-name" label="Connection name">
          <input id="connection-name" required value={name} maxLength={100} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="connection-account" label="Account ID to connect">
          <input id="connection-account" required inputMode="numeric" value={accountId} onInput={(e) => setAccountId((e.target as HTMLInputElement).value)} />
        </Field>
        <Button type="submit" busy={busy}>Request connection</Button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}

/** Connections other spaces asked of the signed-in account (ListConnections on `/v1/connections`): accept, reject, add roles. */
export function AccountConnectionRequests() {
  const connections = useLoad(() => codecatalyst.listAccountConnections(), []);
  if (connections.loading && !connections.data) return null;
  return (
    <section aria-label="Connections to this account">
      <h2>Connections to this account</h2>
      <ErrorMessage error={connections.error} />
      {connections.data?.length === 0 && <p class="muted">No space has asked to connect to this account.</p>}
      {connections.data && connections.data.length > 0 && <ConnectionTable connections={connections.data} onChanged={connections.reload} showSpace />}
    </section>
  );
}

function ConnectionTable({ connections, onChanged, showSpace }: { connections: Connection[]; onChanged: () => Promise<void>; showSpace?: boolean }) {
  return (
    <table class="table" aria-label="Connections">
      <thead><tr><th>Name</th>{showSpace && <th>Space</th>}<th>Account</th><th>Status</th><th>Roles</th><th>Requested</th></tr></thead>
      <tbody>
        {connections.map((c) => <ConnectionRow key={c.connectionId} connection={c} onChanged={onChanged} showSpace={showSpace} />)}
      </tbody>
    </table>
  );
}

function ConnectionRow({ connection: c, onChanged, showSpace }: { connection: Connection; onChanged: () => Promise<void>; showSpace?: boolean }) {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [roleArn, setRoleArn] = useState('');
  const mine = session.value?.account === c.accountId;
  const act = async (what: string, run: () => Promise<unknown>) => {
    setBusy(what);
    setError(undefined);
    try {
      await run();
      await onChanged();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <tr data-connection={c.name}>
      <td><strong>{c.name}</strong></td>
      {showSpace && <td>{c.space}</td>}
      <td class="mono">{c.accountId}</td>
      <td>
        <StatusBadge status={c.status} />
        {c.status === 'PENDING' && mine && (
          <span class="actions">
            <Button class="small" busy={busy === 'accept'} onClick={() => act('accept', () => codecatalyst.acceptConnection(c.connectionId))}>Accept</Button>
            <Button class="small" variant="danger" busy={busy === 'reject'} onClick={() => act('reject', () => codecatalyst.rejectConnection(c.connectionId))}>Reject</Button>
          </span>
        )}
        {c.status === 'PENDING' && !mine && <div class="muted small">Waiting for account {c.accountId} to accept it (sign in there, or switch role into it).</div>}
      </td>
      <td>
        {c.roles.length === 0 ? <span class="muted small">No roles</span> : (
          <ul class="plain-list">{c.roles.map((r) => <li key={r} class="mono small">{r}</li>)}</ul>
        )}
        {c.status === 'ACTIVE' && mine && (
          <form class="row-form" aria-label={`Add a role to ${c.name}`} onSubmit={(e) => {
            e.preventDefault();
            void act('role', async () => {
              await codecatalyst.addConnectionRole(c.connectionId, roleArn.trim());
              setRoleArn('');
            });
          }}>
            <label class="visually-hidden" for={`role-${c.connectionId}`}>Role ARN for {c.name}</label>
            <input id={`role-${c.connectionId}`} required placeholder={`arn:aws:iam::${c.accountId}:role/…`} value={roleArn} spellcheck={false}
              onInput={(e) => setRoleArn((e.target as HTMLInputElement).value)} />
            <Button class="small" type="submit" busy={busy === 'role'}>Add role</Button>
          </form>
        )}
        <ErrorMessage error={error} />
      </td>
      <td class="small"><Time value={c.requestedAt} /><div class="muted">{c.requestedBy.split(/[:/]/).pop()}</div></td>
    </tr>
  );
}
