import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { listUsableRegions } from '../api/account.ts';
import { getCallerIdentity } from '../api/sts.ts';
import { notice, region, session, setRegion, signOut } from '../state/session.ts';
import { theme, toggleTheme } from '../state/theme.ts';
import { SwitchRole } from './switch-role.tsx';
import { useLoad } from './use-load.ts';

/** The console's sections: where each starts, the URLs it owns, its name. */
const SECTIONS = [
  ['/console/hosting/apps', '/console/hosting/', 'Hosting'],
  ['/console/workflows', '/console/workflows', 'Workflows'],
  ['/console/backends', '/console/backends', 'Backends'],
  ['/console/iam/users', '/console/iam', 'IAM'],
] as const;

/**
 * The bar on every signed-in page: where you are (the account, from STS GetCallerIdentity), the region calls
 * are signed for (from Account Management ListRegions), the theme and sign-out.
 */
export function TopBar() {
  const { route, path } = useLocation();
  const identity = useLoad(() => getCallerIdentity(), [session.value?.arn]);
  const regions = useLoad(() => listUsableRegions(), [session.value?.arn]);
  const [signingOut, setSigningOut] = useState(false);
  const who = identity.data?.arn ?? session.value?.arn ?? '';
  const principal = who.split(/[:/]/).pop();
  return (
    <header class="top-bar">
      <a class="brand" href="/console/">Gantry</a>
      <nav aria-label="Sections" class="sections">
        {SECTIONS.map(([href, prefix, label]) => (
          <a key={href} href={href} aria-current={path.startsWith(prefix) ? 'page' : undefined}>{label}</a>
        ))}
      </nav>
      <div class="top-bar-end">
        <span class="account" title={who} data-testid="account">
          <span class="account-id">{identity.data?.account ?? session.value?.account}</span>
          {principal && <span class="principal">{principal}</span>}
        </span>
        <SwitchRole />
        <label class="region">
          <span class="visually-hidden">Region</span>
          <select
            aria-label="Region"
            value={region.value}
            onChange={(e) => {
              setRegion((e.target as HTMLSelectElement).value);
              route('/console/hosting/apps');
            }}
          >
            {(regions.data ?? [region.value]).map((name) => <option key={name} value={name}>{name}</option>)}
            {regions.data && !regions.data.includes(region.value) && <option value={region.value}>{region.value}</option>}
          </select>
        </label>
        <button type="button" class="button secondary small" onClick={toggleTheme} aria-label={`Switch to ${theme.value === 'dark' ? 'light' : 'dark'} theme`}>
          {theme.value === 'dark' ? '☀' : '☾'}
        </button>
        <button
          type="button" class="button secondary small" disabled={signingOut}
          onClick={async () => {
            setSigningOut(true);
            await signOut().finally(() => setSigningOut(false));
            route('/console/sign-in');
          }}
        >
          Sign out
        </button>
      </div>
      {notice.value && <p class="notice top-notice" role="status">{notice.value}</p>}
    </header>
  );
}
