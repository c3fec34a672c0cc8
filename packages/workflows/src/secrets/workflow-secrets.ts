import type { Kysely } from 'kysely';
import { GantryError, type SecretBox } from '@gantry/core';
import type { Migration } from '@gantry/store';

/**
 * Workflow secrets (`${Secrets.name}`), per space or per project; a project's secret hides the space's of the
 * same name. Values are sealed at rest and never returned by the API. Runs read them synchronously while they
 * build an action's environment, so every value is kept open in memory after `load`.
 */
export interface SecretTables {
  workflow_secrets: {
    space: string;
    /** `''` for a secret of the whole space. */
    project: string;
    name: string;
    sealed: string;
    updated_by: string;
    updated_at: number;
  };
}

export const secretMigrations: Migration[] = [
  {
    name: 'workflows-secrets-0001',
    async up(db) {
      await db.schema.createTable('workflow_secrets')
        .addColumn('space', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('workflow_secrets_pk', ['space', 'project', 'name'])
        .execute();
    },
  },
];

/** CodeCatalyst's rule for secret names. */
const SECRET_NAME = /^[A-Za-z0-9_-]{1,100}$/;
const MAX_VALUE = 64 * 1024;

export interface SecretScope {
  space: string;
  /** Absent or `''`: the whole space. */
  project?: string;
}

export class WorkflowSecrets {
  private readonly values = new Map<string, string>();
  private readonly db: Kysely<SecretTables>;

  constructor(db: Kysely<any>, private readonly box: SecretBox, private readonly now: () => number = Date.now) {
    this.db = db as Kysely<SecretTables>;
  }

  async load(): Promise<void> {
    this.values.clear();
    for (const row of await this.db.selectFrom('workflow_secrets').selectAll().execute()) this.values.set(key(row.space, row.project, row.name), this.box.open(row.sealed));
  }

  async put(scope: SecretScope, name: string, value: string, updatedBy: string): Promise<void> {
    if (!SECRET_NAME.test(name)) throw new GantryError('ValidationError', `Secret name '${name}' is not valid: use 1 to 100 letters, digits, '-' or '_' (workflows refer to it as \${Secrets.${name}}).`);
    if (typeof value !== 'string' || value.length === 0) throw new GantryError('ValidationError', `Secret ${name} needs a non-empty string value.`);
    if (Buffer.byteLength(value) > MAX_VALUE) throw new GantryError('ValidationError', `Secret ${name} is larger than ${MAX_VALUE / 1024} KiB.`);
    const row = { space: scope.space, project: scope.project ?? '', name, sealed: this.box.seal(value), updated_by: updatedBy, updated_at: this.now() };
    await this.db.insertInto('workflow_secrets').values(row)
      .onConflict((c) => c.columns(['space', 'project', 'name']).doUpdateSet({ sealed: row.sealed, updated_by: updatedBy, updated_at: row.updated_at })).execute();
    this.values.set(key(row.space, row.project, name), value);
  }

  async delete(scope: SecretScope, name: string): Promise<void> {
    const result = await this.db.deleteFrom('workflow_secrets').where('space', '=', scope.space).where('project', '=', scope.project ?? '').where('name', '=', name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new GantryError('NotFound', `No secret ${name} in ${describe(scope)}.`);
    this.values.delete(key(scope.space, scope.project ?? '', name));
  }

  /** Names and update times of the scope's secrets, never their values. */
  async list(scope: SecretScope): Promise<Array<{ name: string; updatedBy: string; updatedAt: Date }>> {
    const rows = await this.db.selectFrom('workflow_secrets').select(['name', 'updated_by', 'updated_at'])
      .where('space', '=', scope.space).where('project', '=', scope.project ?? '').orderBy('name').execute();
    return rows.map((r) => ({ name: r.name, updatedBy: r.updated_by, updatedAt: new Date(Number(r.updated_at)) }));
  }

  /** The value a run of `project` sees for `${Secrets.name}`: the project's, else the space's. */
  value(space: string, project: string, name: string): string | undefined {
    return this.values.get(key(space, project, name)) ?? this.values.get(key(space, '', name));
  }
}

const key = (space: string, project: string, name: string): string => `${space}\n${project}\n${name}`;
const describe = (scope: SecretScope): string => (scope.project ? `project ${scope.space}/${scope.project}` : `space ${scope.space}`);
