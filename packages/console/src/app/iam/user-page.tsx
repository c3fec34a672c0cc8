import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { iam, type AccessKey } from '../api/iam.ts';
import { Button, CopyButton, ErrorMessage, Field, Spinner, StatusBadge, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { session } from '../state/session.ts';
import { IamTabs } from './iam-tabs.tsx';
import { iamPaths } from './paths.ts';

/** One user: its access keys (the secret of a new one shown once), its console password, deleting it. */
export function UserPage({ name: rawName }: { name?: string }) {
  const name = param(rawName);
  const { route } = useLocation();
  const user = useLoad(() => iam.getUser(name), [name]);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const remove = async () => {
    if (!confirm(`Delete the user ${name}? Its access keys and console password stop working.`)) return;
    setDeleting(true);
    setError(undefined);
    try {
      await iam.deleteUser(name);
      route(iamPaths.users);
    } catch (thrown) {
      setError(thrown as Error);
      setDeleting(false);
    }
  };
  return (
    <main class="page">
      <p><a href={iamPaths.users}>← Users</a></p>
      <IamTabs current="users" />
      {user.loading && !user.data && <Spinner label="Loading user" />}
      <ErrorMessage error={user.error} />
      {user.data && (
        <>
          <div class="page-head">
            <div>
              <h1>{user.data.userName} <small class="muted">user</small></h1>
              <p class="muted mono small">{user.data.arn} · created <Time value={user.data.createDate} /></p>
            </div>
            <Button variant="danger" busy={deleting} onClick={remove}>Delete user</Button>
          </div>
          <ErrorMessage error={error} />
          <AccessKeys userName={name} />
          <ConsolePassword userName={name} />
        </>
      )}
    </main>
  );
}

function AccessKeys({ userName }: { userName: string }) {
  const keys = useLoad(() => iam.listAccessKeys(userName), [userName]);
  const [created, setCreated] = useState<(AccessKey & { secretAccessKey: string }) | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const act = async (what: string, run: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await run();
      await keys.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section aria-label="Access keys">
      <h2>Access keys</h2>
      {keys.loading && !keys.data && <Spinner label="Loading access keys" />}
      <ErrorMessage error={keys.error} />
      {keys.data?.length === 0 && <p class="muted">No access keys: create one for the SDKs and the CLI (a user may have two).</p>}
      {keys.data && keys.data.length > 0 && (
        <table class="table" aria-label="Access key list">
          <thead><tr><th>Access key ID</th><th>Status</th><th>Created</th><th /></tr></thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.accessKeyId}>
                <td class="mono">{k.accessKeyId}</td>
                <td><StatusBadge status={k.status} /></td>
                <td class="small"><Time value={k.createDate} /></td>
                <td>
                  <Button class="small" variant="danger" busy={busy === k.accessKeyId} onClick={() => {
                    if (confirm(`Delete access key ${k.accessKeyId}? Anything using it stops working.`)) void act(k.accessKeyId, () => iam.deleteAccessKey(userName, k.accessKeyId));
                  }}>Delete</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {created && (
        <div class="card secret" role="status" data-testid="new-access-key">
          <p><strong>Save the secret access key now.</strong> IAM shows it this once; it cannot be shown again (create another key if it is lost).</p>
          <dl class="facts-list">
            <dt>Access key ID</dt><dd class="mono">{created.accessKeyId}</dd>
            <dt>Secret access key</dt><dd class="mono" data-testid="new-secret">{created.secretAccessKey} <CopyButton text={created.secretAccessKey} label="Copy secret" /></dd>
          </dl>
          <Button variant="secondary" onClick={() => setCreated(undefined)}>I have saved it</Button>
        </div>
      )}
      <div class="actions">
        <Button busy={busy === 'create'} onClick={() => act('create', async () => setCreated(await iam.createAccessKey(userName)))}>Create access key</Button>
      </div>
      <ErrorMessage error={error} />
    </section>
  );
}

function ConsolePassword({ userName }: { userName: string }) {
  const has = useLoad(() => iam.hasLoginProfile(userName), [userName]);
  const [password, setPassword] = useState('');
  const [reset, setReset] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      if (has.data) await iam.updateLoginProfile(userName, password);
      else await iam.createLoginProfile(userName, password, reset);
      setPassword('');
      setSaved(true);
      await has.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  const account = session.value?.account;
  return (
    <section aria-label="Console password">
      <h2>Console password</h2>
      <ErrorMessage error={has.error} />
      {has.data !== undefined && (
        <p class="muted">
          {has.data ? 'The user can sign in to this console with a password' : 'The user has no console password'}
          {account && <> (account <span class="mono">{account}</span>, user name <span class="mono">{userName}</span>)</>}.
        </p>
      )}
      <form class="inline-form" onSubmit={submit} aria-label={has.data ? 'Change console password' : 'Create console password'}>
        <Field id="console-password" label={has.data ? 'New password' : 'Password'} hint="The account's password policy applies.">
          <input id="console-password" type="password" required autoComplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
          <ErrorMessage error={error} />
        </Field>
        {!has.data && (
          <label class="checkbox"><input type="checkbox" checked={reset} onChange={(e) => setReset((e.target as HTMLInputElement).checked)} /> Require a new password at next sign-in</label>
        )}
        <Button type="submit" busy={busy}>{has.data ? 'Change password' : 'Create password'}</Button>
      </form>
      {saved && <p class="success" role="status">Password saved.</p>}
    </section>
  );
}
