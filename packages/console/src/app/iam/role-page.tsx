import { useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { iam, pretty } from '../api/iam.ts';
import { Button, ErrorMessage, Field, Spinner, Time } from '../components/ui.tsx';
import { useLoad } from '../components/use-load.ts';
import { param } from '../hosting/paths.ts';
import { IamTabs } from './iam-tabs.tsx';
import { iamPaths } from './paths.ts';
import { PolicyEditor, STARTER_PERMISSIONS } from './policy-editor.tsx';

const isPolicyError = (e: Error | undefined) => (e as { code?: string } | undefined)?.code === 'MalformedPolicyDocument';

/** One role: its trust policy and permission policies (managed ones attached, inline ones by name), each editable. */
export function RolePage({ name: rawName }: { name?: string }) {
  const name = param(rawName);
  const { route } = useLocation();
  const role = useLoad(() => iam.getRole(name), [name]);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const remove = async () => {
    if (!confirm(`Delete the role ${name}? Whoever assumes it loses that access.`)) return;
    setDeleting(true);
    setError(undefined);
    try {
      await iam.deleteRole(name);
      route(iamPaths.roles);
    } catch (thrown) {
      setError(thrown as Error);
      setDeleting(false);
    }
  };
  return (
    <main class="page">
      <p><a href={iamPaths.roles}>← Roles</a></p>
      <IamTabs current="roles" />
      {role.loading && !role.data && <Spinner label="Loading role" />}
      <ErrorMessage error={role.data ? undefined : role.error} />
      {role.data && (
        <>
          <div class="page-head">
            <div>
              <h1>{role.data.roleName} <small class="muted">role</small></h1>
              <p class="muted mono small">{role.data.arn} · created <Time value={role.data.createDate} /></p>
              {role.data.description && <p>{role.data.description}</p>}
            </div>
            <Button variant="danger" busy={deleting} onClick={remove}>Delete role</Button>
          </div>
          <ErrorMessage error={error} />
          <TrustPolicy roleName={name} document={role.data.trustPolicy} onSaved={role.reload} />
          <AttachedPolicies roleName={name} />
          <InlinePolicy roleName={name} />
        </>
      )}
    </main>
  );
}

function TrustPolicy({ roleName, document, onSaved }: { roleName: string; document: string; onSaved: () => Promise<void> }) {
  const [text, setText] = useState(() => pretty(document));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await iam.updateTrustPolicy(roleName, text);
      setSaved(true);
      await onSaved();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Trust policy">
      <h2>Trust policy</h2>
      <PolicyEditor label="Trust policy" text={text} onChange={(t) => { setText(t); setSaved(false); }} error={isPolicyError(error) ? error : undefined} testId="trust-policy-editor" />
      {!isPolicyError(error) && <ErrorMessage error={error} />}
      <div class="actions">
        <Button busy={busy} onClick={save}>Save trust policy</Button>
        {saved && <span class="success" role="status">Saved.</span>}
      </div>
    </section>
  );
}

function AttachedPolicies({ roleName }: { roleName: string }) {
  const attached = useLoad(() => iam.listAttachedRolePolicies(roleName), [roleName]);
  // Suggestions for the attach field: the first page of the account's own policies and of AWS's.
  const suggestions = useLoad(async () => {
    const [local, aws] = await Promise.all([iam.listPolicies({ scope: 'Local', maxItems: 100 }), iam.listPolicies({ scope: 'AWS', maxItems: 100 })]);
    return [...local.items, ...aws.items];
  }, []);
  const [arn, setArn] = useState('');
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const act = async (what: string, run: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await run();
      await attached.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(undefined);
    }
  };
  // A bare name means the suggested policy of that name, else the AWS managed policy of that name at the root path.
  const policyArn = (value: string) => (value.startsWith('arn:') ? value
    : suggestions.data?.find((p) => p.policyName === value)?.arn ?? `arn:aws:iam::aws:policy/${value}`);
  return (
    <section aria-label="Managed policies">
      <h2>Managed policies</h2>
      {attached.loading && !attached.data && <Spinner label="Loading attached policies" />}
      {attached.data?.length === 0 && <p class="muted">No managed policy is attached: the role may do nothing but what inline policies allow.</p>}
      {attached.data && attached.data.length > 0 && (
        <table class="table" aria-label="Attached policies">
          <thead><tr><th>Policy</th><th>ARN</th><th /></tr></thead>
          <tbody>
            {attached.data.map((p) => (
              <tr key={p.policyArn}>
                <td>{p.policyName}</td>
                <td class="mono small">{p.policyArn}</td>
                <td><Button class="small" variant="danger" busy={busy === p.policyArn} onClick={() => act(p.policyArn, () => iam.detachRolePolicy(roleName, p.policyArn))}>Detach</Button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" aria-label="Attach a policy" onSubmit={(e) => {
        e.preventDefault();
        void act('attach', async () => {
          await iam.attachRolePolicy(roleName, policyArn(arn.trim()));
          setArn('');
        });
      }}>
        <Field id="attach-policy" label="Policy to attach" hint="A policy ARN, or the name of an AWS managed policy.">
          <input id="attach-policy" required list="policy-suggestions" value={arn} spellcheck={false} onInput={(e) => setArn((e.target as HTMLInputElement).value)} />
          <datalist id="policy-suggestions">
            {(suggestions.data ?? []).map((p) => <option key={p.arn} value={p.arn}>{p.policyName}</option>)}
          </datalist>
        </Field>
        <Button type="submit" busy={busy === 'attach'}>Attach policy</Button>
      </form>
      <ErrorMessage error={error ?? attached.error} />
    </section>
  );
}

/** IAM has no ListRolePolicies here, so inline policies are opened by name. */
function InlinePolicy({ roleName }: { roleName: string }) {
  const [policyName, setPolicyName] = useState('');
  const [text, setText] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => setSaved(false), [text]);
  const act = async (what: string, run: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await run();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(undefined);
    }
  };
  const open = () => act('open', async () => {
    try {
      setText(pretty(await iam.getRolePolicy(roleName, policyName.trim())));
    } catch (thrown) {
      // A name not in use yet starts a new policy.
      if ((thrown as { code?: string }).code !== 'NoSuchEntity') throw thrown;
      setText(STARTER_PERMISSIONS);
    }
  });
  return (
    <section aria-label="Inline policy">
      <h2>Inline policy</h2>
      <form class="inline-form" aria-label="Open an inline policy" onSubmit={(e) => { e.preventDefault(); void open(); }}>
        <Field id="inline-name" label="Inline policy name" hint="Opens the policy of that name, or starts a new one.">
          <input id="inline-name" required value={policyName} onInput={(e) => { setPolicyName((e.target as HTMLInputElement).value); setText(undefined); }} />
        </Field>
        <Button type="submit" variant="secondary" busy={busy === 'open'}>Open</Button>
      </form>
      {text !== undefined && (
        <>
          <PolicyEditor key={policyName} label="Inline policy" text={text} onChange={setText} error={isPolicyError(error) ? error : undefined} testId="inline-policy-editor" />
          <div class="actions">
            <Button busy={busy === 'save'} onClick={() => act('save', async () => { await iam.putRolePolicy(roleName, policyName.trim(), text); setSaved(true); })}>Save inline policy</Button>
            <Button variant="danger" busy={busy === 'delete'} onClick={() => act('delete', async () => { await iam.deleteRolePolicy(roleName, policyName.trim()); setText(undefined); })}>Delete inline policy</Button>
            {saved && <span class="success" role="status">Saved.</span>}
          </div>
        </>
      )}
      {!isPolicyError(error) && <ErrorMessage error={error} />}
    </section>
  );
}
