/**
 * `defineStorage` access rules → IAM policies of the identity pool's roles, as Amplify Gen 2's storage
 * construct writes them (`@aws-amplify/backend-storage`): `guest` goes to the unauthenticated role,
 * `authenticated` and `entity('identity')` to the authenticated role. Actions: `get` → s3:GetObject on
 * `<bucket>/<path>`, `list` → s3:ListBucket on the bucket limited by `s3:prefix` to the path, `write` →
 * s3:PutObject, `delete` → s3:DeleteObject. In an owner's path `{entity_id}` is the identity id
 * (`${cognito-identity.amazonaws.com:sub}`) for the owner and `*` for everyone else. A role allowed on a path
 * but not on a path nested in it is denied there what it may not do.
 */
const ENTITY_TOKEN = '{entity_id}';
const IDENTITY_SUB = '${cognito-identity.amazonaws.com:sub}';
const ACTIONS: Record<string, string> = { get: 's3:GetObject', write: 's3:PutObject', delete: 's3:DeleteObject', list: 's3:ListBucket' };

export type StoragePaths = Record<string, Record<string, string[]>>;
export type StorageRole = 'authenticated' | 'unauthenticated';

/** Which role an access key of the outputs' `paths` (`guest`, `authenticated`, `entityidentity`) belongs to. */
const ROLE_OF: Record<string, StorageRole> = { guest: 'unauthenticated', authenticated: 'authenticated', entityidentity: 'authenticated' };

interface Grant { path: string; actions: Set<string> }

/** What one role may do on each path: its own grants, the owner's on top for the authenticated role. */
function grantsOf(paths: StoragePaths, role: StorageRole): Grant[] {
  const grants: Grant[] = [];
  for (const [path, access] of Object.entries(paths)) {
    for (const [who, actions] of Object.entries(access)) {
      if (ROLE_OF[who] !== role) continue;
      const resolved = path.replaceAll(ENTITY_TOKEN, who === 'entityidentity' ? IDENTITY_SUB : '*');
      let grant = grants.find((g) => g.path === resolved);
      if (!grant) grants.push((grant = { path: resolved, actions: new Set() }));
      for (const action of actions) grant.actions.add(action);
    }
  }
  return grants;
}

function statement(effect: 'Allow' | 'Deny', bucket: string, path: string, actions: string[]) {
  const out: object[] = [];
  const objectActions = actions.filter((a) => a !== 'list').map((a) => ACTIONS[a]!).sort();
  if (objectActions.length) out.push({ Effect: effect, Action: objectActions, Resource: `arn:aws:s3:::${bucket}/${path}` });
  if (actions.includes('list')) {
    out.push({ Effect: effect, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}`, Condition: { StringLike: { 's3:prefix': [path, path.replace(/\*$/, '')] } } });
  }
  return out;
}

/** The policy document of one role for one bucket, or undefined when the rules give that role nothing. */
export function storageAccessPolicy(bucket: string, paths: StoragePaths, role: StorageRole): string | undefined {
  const grants = grantsOf(paths, role);
  if (!grants.length) return undefined;
  const statements: object[] = [];
  for (const grant of grants) statements.push(...statement('Allow', bucket, grant.path, [...grant.actions]));
  // Paths nested in another path keep to their own rules: what the outer path allows and the inner one not is denied there.
  const prefixOf = (path: string) => path.replace(/\*$/, '');
  for (const outer of Object.keys(paths)) {
    for (const inner of Object.keys(paths)) {
      if (inner === outer || !prefixOf(inner).startsWith(prefixOf(outer))) continue;
      const outerGrant = grants.find((g) => g.path === outer.replaceAll(ENTITY_TOKEN, '*'));
      if (!outerGrant) continue;
      const innerActions = new Set(Object.entries(paths[inner]!).filter(([who]) => ROLE_OF[who] === role).flatMap(([, actions]) => actions));
      const denied = [...outerGrant.actions].filter((a) => !innerActions.has(a) && a !== 'list');
      if (denied.length) statements.push(...statement('Deny', bucket, inner.replaceAll(ENTITY_TOKEN, '*'), denied));
    }
  }
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
