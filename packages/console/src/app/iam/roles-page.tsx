import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { iam } from '../api/iam.ts';
import { Pager } from '../components/pager.tsx';
import { Button, EmptyState, ErrorMessage, Field, Spinner, Time } from '../components/ui.tsx';
import { useTokenPages } from '../components/use-pages.ts';
import { session } from '../state/session.ts';
import { IamTabs } from './iam-tabs.tsx';
import { iamPaths } from './paths.ts';
import { accountTrustPolicy, PolicyEditor } from './policy-editor.tsx';

/** The account's roles, a page at a time (ListRoles with Marker). */
export function RolesPage() {
  const paged = useTokenPages(async (marker) => {
    const page = await iam.listRoles({ marker, maxItems: 50 });
    return { items: page.items, next: page.marker };
  }, []);
  const roles = paged.page;
  return (
    <main class="page">
      <div class="page-head">
        <h1>IAM</h1>
        <a class="button primary" href={iamPaths.newRole}>Create role</a>
      </div>
      <IamTabs current="roles" />
      {roles.loading && !roles.data && <Spinner label="Loading roles" />}
      <ErrorMessage error={roles.error} />
      {roles.data?.items.length === 0 && paged.index === 0 && (
        <EmptyState title="No roles in this account">
          <p>A role is assumed by whoever its trust policy names: another account, a workflow's runner, a service.</p>
          <p><a class="button primary" href={iamPaths.newRole}>Create a role</a></p>
        </EmptyState>
      )}
      {roles.data && roles.data.items.length > 0 && (
        <table class="table" aria-label="Roles">
          <thead><tr><th>Role</th><th>Description</th><th>Created</th></tr></thead>
          <tbody>
            {roles.data.items.map((r) => (
              <tr key={r.roleId}>
                <td><a href={iamPaths.role(r.roleName)}>{r.roleName}</a><div class="mono small muted">{r.arn}</div></td>
                <td class="small">{r.description ?? ''}</td>
                <td class="small"><Time value={r.createDate} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager paged={paged} />
    </main>
  );
}

/** Create a role: its name and the trust policy that says who may assume it, checked by IAM on CreateRole. */
export function CreateRolePage() {
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [trust, setTrust] = useState(() => accountTrustPolicy(session.value?.account ?? '123456789012'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const policyError = (error as { code?: string } | undefined)?.code === 'MalformedPolicyDocument' ? error : undefined;
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const role = await iam.createRole({ roleName: name.trim(), trustPolicy: trust, description: description.trim() });
      route(iamPaths.role(role.roleName));
    } catch (thrown) {
      setError(thrown as Error);
      setBusy(false);
    }
  };
  return (
    <main class="page narrow">
      <p><a href={iamPaths.roles}>← Roles</a></p>
      <h1>Create role</h1>
      <form class="form" onSubmit={submit}>
        <Field id="role-name" label="Role name">
          <input id="role-name" required maxLength={64} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </Field>
        <Field id="role-description" label="Description (optional)">
          <input id="role-description" maxLength={1000} value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </Field>
        <div class="field">
          <label>Trust policy</label>
          <small>Who may assume the role. For a workflow's actions, trust <code>codecatalyst-runner.amazonaws.com</code>.</small>
          <PolicyEditor label="Trust policy" text={trust} onChange={setTrust} error={policyError} testId="trust-policy-editor" />
        </div>
        {!policyError && <ErrorMessage error={error} />}
        <div class="actions">
          <Button type="submit" busy={busy}>Create role</Button>
          <a class="button secondary" href={iamPaths.roles}>Cancel</a>
        </div>
      </form>
    </main>
  );
}
