import type { StorageManifest, UnsupportedConstruct } from '../backend-manifest.ts';
import type { CallSite } from '../define/call-site.ts';
import { storageAccessBuilder, type StorageAction, type StorageProps } from '../define/define-storage.ts';
import { appRelative, unsupportedAt } from './app-files.ts';

export function buildStorageManifest(appDir: string, props: StorageProps, callSite: CallSite | undefined): { storage: StorageManifest; unsupported: UnsupportedConstruct[] } {
  const unsupported: UnsupportedConstruct[] = [];
  const paths: StorageManifest['paths'] = {};
  const rules = props.access ? props.access(storageAccessBuilder()) : {};
  for (const [prefix, grants] of Object.entries(rules)) {
    const entry: Record<string, string[]> = {};
    for (const grant of grants) {
      if (grant.who === 'resource') {
        unsupported.push(unsupportedAt(appDir, `defineStorage (${props.name}) access allow.resource(...) on "${prefix}"`, callSite, 'Function access to storage is not supported by Gantry.'));
        continue;
      }
      if (grant.who === 'groups') {
        unsupported.push(unsupportedAt(appDir, `defineStorage (${props.name}) access allow.groups(...) on "${prefix}"`, callSite, 'User pool group roles are not made by Gantry yet: use allow.authenticated or allow.entity(\'identity\').'));
      }
      const keys =
        grant.who === 'groups' ? (grant.groups ?? []).map((group) => `groups${group}`) : grant.who === 'entity' ? [`entity${grant.entity ?? 'identity'}`] : [grant.who];
      for (const key of keys) entry[key] = [...new Set([...(entry[key] ?? []), ...expand(grant.actions)])];
    }
    paths[prefix] = entry;
  }
  for (const trigger of Object.keys(props.triggers ?? {})) {
    unsupported.push(unsupportedAt(appDir, `defineStorage (${props.name}) triggers.${trigger}`, callSite, 'S3 event triggers are not supported by Gantry.'));
  }
  return { storage: { name: props.name, file: appRelative(appDir, callSite?.file), isDefault: props.isDefault ?? false, paths }, unsupported };
}

function expand(actions: StorageAction[]): string[] {
  return actions.flatMap((action) => (action === 'read' ? ['get', 'list'] : [action]));
}
