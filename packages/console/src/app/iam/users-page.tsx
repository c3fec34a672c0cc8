import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { iam } from '../api/iam.ts';
import { CreateForm } from '../components/create-form.tsx';
import { Pager } from '../components/pager.tsx';
import { Button, EmptyState, ErrorMessage, Field, Spinner, Time } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { IamTabs } from './iam-tabs.tsx';
import { iamPaths } from './paths.ts';

/** The account's IAM users, a page at a time (ListUsers with Marker); create one; open one by name. */
export function UsersPage() {
  const { route } = useLocation();
  const paged = useTokenPages(async (marker) => {
    const page = await iam.listUsers({ marker, maxItems: 50 });
    return { items: page.items, next: page.marker };
  }, []);
  const users = paged.page;
  // A server without ListUsers still lets a user be opened by name.
  const unlisted = (users.error as { code?: string } | undefined)?.code === 'InvalidAction';
  return (
    <main class="page">
      <div class="page-head"><h1>IAM</h1></div>
      <IamTabs current="users" />
      {users.loading && !users.data && <Spinner label="Loading users" />}
      {unlisted ? <p class="notice">This server does not list users ({users.error!.message}). Open a user by name below.</p> : <ErrorMessage error={users.error} />}
      {users.data?.items.length === 0 && paged.index === 0 && (
        <EmptyState title="No IAM users in this account">
          <p>Create a user for each person or machine that calls the APIs, then give it an access key or a console password.</p>
        </EmptyState>
      )}
      {users.data && users.data.items.length > 0 && (
        <table class="table" aria-label="Users">
          <thead><tr><th>User</th><th>ARN</th><th>Created</th></tr></thead>
          <tbody>
            {users.data.items.map((u) => (
              <tr key={u.userId}><td><a href={iamPaths.user(u.userName)}>{u.userName}</a></td><td class="mono small">{u.arn}</td><td class="small"><Time value={u.createDate} /></td></tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
      <CreateForm id="user-name" label="New user name" button="Create user" hint="Letters, digits and +=,.@_- (up to 64)."
        onCreate={async (name) => route(iamPaths.user((await iam.createUser(name)).userName))} />
      {unlisted && <OpenUser />}
    </main>
  );
}

function OpenUser() {
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  return (
    <form class="inline-form" aria-label="Open a user" onSubmit={async (e) => {
      e.preventDefault();
      setBusy(true);
      setError(undefined);
      try {
        route(iamPaths.user((await iam.getUser(name.trim())).userName));
      } catch (thrown) {
        setError(thrown as Error);
        setBusy(false);
      }
    }}>
      <Field id="open-user" label="User name">
        <input id="open-user" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <ErrorMessage error={error} />
      </Field>
      <Button type="submit" variant="secondary" busy={busy}>Open user</Button>
    </form>
  );
}
