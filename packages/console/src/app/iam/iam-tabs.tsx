import { iamPaths } from './paths.ts';

const TABS = [['users', 'Users', iamPaths.users], ['roles', 'Roles', iamPaths.roles], ['policies', 'Managed policies', iamPaths.policies], ['audit', 'Audit trail', iamPaths.audit]] as const;

/** The IAM section's parts, one tab each. */
export function IamTabs({ current }: { current: (typeof TABS)[number][0] }) {
  return (
    <nav class="tabs" aria-label="IAM sections">
      {TABS.map(([id, label, href]) => (
        <a key={id} href={href} class={`tab${current === id ? ' active' : ''}`} aria-current={current === id ? 'page' : undefined}>{label}</a>
      ))}
    </nav>
  );
}
