import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { leaveRole, switchRole } from '../api/console-client.ts';
import { notice, session } from '../state/session.ts';
import { Button, ErrorMessage, Field } from './ui.tsx';

const DEFAULT_ROLE = 'OrganizationAccountAccessRole';

/**
 * Switch role, as in the AWS console: act in another account through one of its roles (AssumeRole as the
 * signed-in user, so the role's trust policy decides), and back.
 */
export function SwitchRole() {
  const { route } = useLocation();
  const [open, setOpen] = useState(false);
  const [account, setAccount] = useState('');
  const [roleName, setRoleName] = useState(DEFAULT_ROLE);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const current = session.value;
  if (!current) return null;
  const done = (info: typeof current) => {
    session.value = info;
    notice.value = undefined;
    setOpen(false);
    route('/console/hosting/apps');
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      done(await switchRole({ account: account.trim(), roleName: roleName.trim() }));
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  if (current.role) {
    const [, roleLabel] = /assumed-role\/([^/]+)/.exec(current.role.arn) ?? [];
    return (
      <span class="role-active">
        <span class="badge" title={current.role.arn}>{roleLabel} @ {current.role.account}</span>
        <Button variant="secondary" class="small" busy={busy} onClick={async () => {
          setBusy(true);
          try {
            done(await leaveRole());
          } finally {
            setBusy(false);
          }
        }}>Back to {current.signedInAs.arn.split('/').pop()}</Button>
      </span>
    );
  }
  return (
    <span class="switch-role">
      <button type="button" class="button secondary small" aria-expanded={open} onClick={() => setOpen(!open)}>Switch role</button>
      {open && (
        <form class="card switch-role-form" onSubmit={submit} aria-label="Switch role">
          <Field id="switch-account" label="Account ID">
            <input id="switch-account" required pattern="[0-9]{12}" inputMode="numeric" value={account} autoFocus onInput={(e) => setAccount((e.target as HTMLInputElement).value)} />
          </Field>
          <Field id="switch-role-name" label="Role name">
            <input id="switch-role-name" required value={roleName} onInput={(e) => setRoleName((e.target as HTMLInputElement).value)} />
          </Field>
          <ErrorMessage error={error} />
          <Button type="submit" busy={busy}>Switch</Button>
        </form>
      )}
    </span>
  );
}
