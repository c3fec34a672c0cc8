import { useState } from 'preact/hooks';
import { amplify, siteUrl, type App, type Branch } from '../api/amplify.ts';
import { Button, EmptyState, ErrorMessage, Field, Spinner } from '../components/ui.tsx';
import type { Loaded } from '../components/use-load.ts';
import { paths } from './paths.ts';

/** The app's branches: create one, switch auto build, open its jobs or its live site. */
export function BranchesPanel({ app, branches }: { app: App; branches: Loaded<Branch[]> }) {
  const [branchName, setBranchName] = useState('');
  const [autoBuild, setAutoBuild] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await amplify.createBranch(app.appId, { branchName: branchName.trim(), enableAutoBuild: autoBuild });
      setBranchName('');
      await branches.reload();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="branches-heading">
      <h2 id="branches-heading">Branches</h2>
      {branches.loading && !branches.data && <Spinner label="Loading branches" />}
      <ErrorMessage error={branches.error} />
      {branches.data?.length === 0 && (
        <EmptyState title="No branches connected">
          <p>Connect a branch of the repository below. With auto build on, every push to it builds and publishes it.</p>
        </EmptyState>
      )}
      {branches.data && branches.data.length > 0 && (
        <table class="table">
          <thead><tr><th>Branch</th><th>Auto build</th><th>Live site</th><th>Jobs</th></tr></thead>
          <tbody>
            {branches.data.map((branch) => (
              <tr key={branch.branchName}>
                <td><a href={paths.branch(app.appId, branch.branchName)}>{branch.branchName}</a> {branch.stage !== 'NONE' && <span class="muted small">{branch.stage}</span>}</td>
                <td><AutoBuildToggle app={app} branch={branch} onChanged={branches.reload} /></td>
                <td><a href={siteUrl(app, branch.branchName)} target="_blank" rel="noopener" class="site-link">{siteUrl(app, branch.branchName).replace(/^https?:\/\//, '').replace(/\/$/, '')}</a></td>
                <td>{branch.totalNumberOfJobs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={create} aria-label="Connect a branch">
        <Field id="new-branch" label="Branch name">
          <input id="new-branch" required value={branchName} onInput={(e) => setBranchName((e.target as HTMLInputElement).value)} placeholder="main" spellcheck={false} />
        </Field>
        <label class="checkbox">
          <input type="checkbox" checked={autoBuild} onChange={(e) => setAutoBuild((e.target as HTMLInputElement).checked)} /> Auto build on push
        </label>
        <Button type="submit" busy={busy}>Connect branch</Button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}

/** A switch that calls UpdateBranch at once and shows the API's answer. */
function AutoBuildToggle({ app, branch, onChanged }: { app: App; branch: Branch; onChanged(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await amplify.updateBranch(app.appId, branch.branchName, { enableAutoBuild: !branch.enableAutoBuild });
      await onChanged();
    } catch (thrown) {
      setError(thrown as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="toggle-cell">
      <button type="button" role="switch" aria-checked={branch.enableAutoBuild} aria-label={`Auto build for ${branch.branchName}`}
        class={`switch${branch.enableAutoBuild ? ' on' : ''}`} disabled={busy} onClick={toggle}>
        <span class="switch-knob" />
      </button>
      <span class="small">{branch.enableAutoBuild ? 'On' : 'Off'}</span>
      {busy && <Spinner label="Saving" />}
      <ErrorMessage error={error} />
    </span>
  );
}
