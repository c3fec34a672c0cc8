import type { Kysely } from 'kysely';
import type { Migration } from '@gantry/store';
import { parseWorkflow } from '../definition/parse-workflow.ts';
import { workflowIssuesOf } from '../definition/workflow-issues.ts';
import type { Workflow, WorkflowIssue } from '../definition/workflow-types.ts';
import { readWorkflowFiles } from './git-reader.ts';

/**
 * A project's workflows as its repositories define them: one row per workflow file per branch, refreshed from
 * the branch's head on every push (CodeCatalyst runs the version of a workflow that is on the branch). A file
 * that does not validate is kept as INVALID with its errors, so users see why it does not run.
 */
export interface CatalogTables {
  workflow_definitions: {
    space: string;
    project: string;
    repository: string;
    branch: string;
    /** `.codecatalyst/workflows/<file>.yaml` */
    path: string;
    /** The workflow's `Name`, or the file name without extension when the file cannot be read that far. */
    name: string;
    status: string;
    /** Validation errors (INVALID) and warnings, as JSON arrays of issues. */
    errors: string;
    warnings: string;
    /** The normalised workflow as JSON (ACTIVE only). */
    definition: string | null;
    content: string;
    commit_id: string;
    updated_at: number;
  };
}

export const catalogMigrations: Migration[] = [
  {
    name: 'workflows-catalog-0001',
    async up(db) {
      await db.schema.createTable('workflow_definitions')
        .addColumn('space', 'text', (c) => c.notNull())
        .addColumn('project', 'text', (c) => c.notNull())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('warnings', 'text', (c) => c.notNull())
        .addColumn('definition', 'text')
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('workflow_definitions_pk', ['space', 'project', 'repository', 'branch', 'path'])
        .execute();
    },
  },
];

/** `WorkflowStatus` as CodeCatalyst names it. */
export type WorkflowStatus = 'ACTIVE' | 'INVALID';

export interface RepositoryRef {
  space: string;
  project: string;
  /** The repository name. */
  repository: string;
}

export interface WorkflowDefinition extends RepositoryRef {
  branch: string;
  path: string;
  name: string;
  status: WorkflowStatus;
  errors: WorkflowIssue[];
  warnings: WorkflowIssue[];
  /** Present when ACTIVE. */
  workflow?: Workflow;
  content: string;
  commitId: string;
  updatedAt: Date;
}

type Row = CatalogTables['workflow_definitions'];

export class WorkflowCatalog {
  private readonly db: Kysely<CatalogTables>;

  constructor(db: Kysely<any>, private readonly now: () => number = Date.now) {
    this.db = db as Kysely<CatalogTables>;
  }

  /**
   * Reads the branch's workflow files at `commitId` and makes the catalog match: new and changed files are
   * parsed, files gone are dropped. Returns the branch's definitions and the paths that disappeared.
   */
  async syncBranch(ref: RepositoryRef, gitDir: string, branch: string, commitId: string): Promise<{ definitions: WorkflowDefinition[]; removed: WorkflowDefinition[] }> {
    const files = await readWorkflowFiles(gitDir, commitId);
    const before = await this.listBranch(ref, branch);
    const now = this.now();
    const rows = files.map((file): Row => ({ ...ref, branch, ...evaluate(file.path, file.content), content: file.content, commit_id: commitId, updated_at: now }));
    await this.db.transaction().execute(async (tx) => {
      const base = tx.deleteFrom('workflow_definitions').where('space', '=', ref.space).where('project', '=', ref.project)
        .where('repository', '=', ref.repository).where('branch', '=', branch);
      await base.execute();
      if (rows.length > 0) await tx.insertInto('workflow_definitions').values(rows).execute();
    });
    const paths = new Set(files.map((f) => f.path));
    return { definitions: rows.map(toDefinition), removed: before.filter((d) => !paths.has(d.path)) };
  }

  /** A deleted branch has no workflows. */
  async dropBranch(ref: RepositoryRef, branch: string): Promise<WorkflowDefinition[]> {
    const before = await this.listBranch(ref, branch);
    await this.db.deleteFrom('workflow_definitions').where('space', '=', ref.space).where('project', '=', ref.project)
      .where('repository', '=', ref.repository).where('branch', '=', branch).execute();
    return before;
  }

  async listBranch(ref: RepositoryRef, branch: string): Promise<WorkflowDefinition[]> {
    const rows = await this.db.selectFrom('workflow_definitions').selectAll().where('space', '=', ref.space).where('project', '=', ref.project)
      .where('repository', '=', ref.repository).where('branch', '=', branch).orderBy('path').execute();
    return rows.map(toDefinition);
  }

  /** A project's workflows on every branch, optionally narrowed. */
  async list(filter: { space: string; project: string; name?: string; branch?: string; repository?: string; status?: WorkflowStatus }): Promise<WorkflowDefinition[]> {
    let query = this.db.selectFrom('workflow_definitions').selectAll().where('space', '=', filter.space).where('project', '=', filter.project);
    if (filter.name !== undefined) query = query.where('name', '=', filter.name);
    if (filter.branch !== undefined) query = query.where('branch', '=', filter.branch);
    if (filter.repository !== undefined) query = query.where('repository', '=', filter.repository);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    const rows = await query.orderBy('repository').orderBy('branch').orderBy('path').execute();
    return rows.map(toDefinition);
  }

  /** Every ACTIVE workflow with a `SCHEDULE` trigger, for the scheduler. */
  async scheduled(): Promise<WorkflowDefinition[]> {
    const rows = await this.db.selectFrom('workflow_definitions').selectAll().where('status', '=', 'ACTIVE').where('definition', 'like', '%"SCHEDULE"%').execute();
    return rows.map(toDefinition).filter((d) => d.workflow?.triggers.some((t) => t.type === 'SCHEDULE'));
  }
}

/** Parses a workflow file as a run would: unsupported actions are errors, since such a workflow cannot run. */
function evaluate(path: string, content: string): Pick<Row, 'path' | 'name' | 'status' | 'errors' | 'warnings' | 'definition'> {
  const fallbackName = path.split('/').pop()!.replace(/\.ya?ml$/, '');
  try {
    const { workflow, warnings } = parseWorkflow(content, path);
    return { path, name: workflow.name, status: 'ACTIVE', errors: '[]', warnings: JSON.stringify(warnings), definition: JSON.stringify(workflow) };
  } catch (error) {
    const issues = workflowIssuesOf(error);
    const errors = issues.length > 0 ? issues : [{ severity: 'error', code: 'invalid-value', file: path, line: 1, column: 1, path: '', message: (error as Error).message }];
    const declared = /^Name:\s*["']?([A-Za-z0-9_-]+)["']?\s*$/m.exec(content)?.[1];
    return { path, name: declared ?? fallbackName, status: 'INVALID', errors: JSON.stringify(errors), warnings: '[]', definition: null };
  }
}

function toDefinition(row: Row): WorkflowDefinition {
  return {
    space: row.space, project: row.project, repository: row.repository, branch: row.branch, path: row.path, name: row.name,
    status: row.status as WorkflowStatus, errors: JSON.parse(row.errors) as WorkflowIssue[], warnings: JSON.parse(row.warnings) as WorkflowIssue[],
    ...(row.definition ? { workflow: JSON.parse(row.definition) as Workflow } : {}),
    content: row.content, commitId: row.commit_id, updatedAt: new Date(Number(row.updated_at)),
  };
}
