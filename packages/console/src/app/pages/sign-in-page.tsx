import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { signIn, type SignInInput } from '../api/console-client.ts';
import { Button, ErrorMessage, Field } from '../components/ui.tsx';
import { signInNotice, signedIn } from '../state/session.ts';

type Tab = 'access-key' | 'password';

/**
 * Sign-in with an IAM user's access key, or its console password. Either way the server turns it into
 * short-lived STS credentials that stay on the server; the page only gets a cookie it cannot read.
 */
export function SignInPage() {
  const { route } = useLocation();
  const [tab, setTab] = useState<Tab>('access-key');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '');
    const input: SignInInput = tab === 'access-key'
      ? { method: 'access-key', accessKeyId: value('accessKeyId'), secretAccessKey: value('secretAccessKey'), region: value('region') || undefined }
      : { method: 'password', account: value('account'), userName: value('userName'), password: value('password'), region: value('region') || undefined };
    setBusy(true);
    setError(undefined);
    try {
      signedIn(await signIn(input));
      route('/console/hosting/apps');
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  const tabButton = (id: Tab, label: string) => (
    <button type="button" role="tab" id={`tab-${id}`} aria-selected={tab === id} aria-controls="sign-in-form" class={`tab${tab === id ? ' active' : ''}`}
      onClick={() => { setTab(id); setError(undefined); }}>
      {label}
    </button>
  );
  return (
    <main class="sign-in">
      <div class="card sign-in-card">
        <h1>Sign in to Gantry</h1>
        {signInNotice.value && <p class="notice" role="status">{signInNotice.value}</p>}
        <div role="tablist" aria-label="Sign-in method" class="tabs">
          {tabButton('access-key', 'Access key')}
          {tabButton('password', 'IAM user password')}
        </div>
        <form id="sign-in-form" aria-labelledby={`tab-${tab}`} onSubmit={submit} key={tab}>
          {tab === 'access-key' ? (
            <>
              <Field id="accessKeyId" label="Access key ID">
                <input id="accessKeyId" name="accessKeyId" required autoComplete="username" spellcheck={false} autoFocus placeholder="AKIA…" />
              </Field>
              <Field id="secretAccessKey" label="Secret access key">
                <input id="secretAccessKey" name="secretAccessKey" type="password" required autoComplete="current-password" />
              </Field>
            </>
          ) : (
            <>
              <Field id="account" label="Account ID or alias">
                <input id="account" name="account" required autoComplete="organization" autoFocus placeholder="123456789012 or staging" />
              </Field>
              <Field id="userName" label="IAM user name">
                <input id="userName" name="userName" required autoComplete="username" />
              </Field>
              <Field id="password" label="Password">
                <input id="password" name="password" type="password" required autoComplete="current-password" />
              </Field>
            </>
          )}
          <Field id="region" label="Region (optional)" hint="The account's default region when empty.">
            <input id="region" name="region" placeholder="us-west-2" pattern="[a-z]{2}(-[a-z]+)+-[0-9]{1,2}" />
          </Field>
          <ErrorMessage error={error} />
          <Button type="submit" busy={busy}>Sign in</Button>
        </form>
      </div>
    </main>
  );
}
