import type { Migration } from '@gantry/store';

/**
 * Functions (one row per account, region and name: the current configuration, Lambda's `$LATEST`) and the log of
 * each invocation (START … REPORT, one row per invocation). The code itself is a file in the code store, named
 * by its SHA-256, so a row only points at it.
 */
export interface FunctionTables {
  lambda_functions: {
    account_id: string;
    region: string;
    name: string;
    /** SHA-256 of the bundled code, hex: the code store's file name. */
    code_sha256: string;
    code_size: number;
    /** `index.handler`: the file and export the runtime loads. */
    handler: string;
    /** The function's own environment variables, as a JSON object. */
    environment: string;
    timeout_seconds: number;
    memory_mb: number;
    /** Increases with every put; warm workers of an older version are never reused. */
    version: number;
    /** Changes with every put (Lambda's RevisionId). */
    revision_id: string;
    last_modified: number;
  };
  lambda_invocation_logs: {
    account_id: string;
    region: string;
    function_name: string;
    request_id: string;
    started_at: number;
    /** The invocation's lines, START to REPORT, newline-terminated. */
    text: string;
  };
}

export const functionMigrations: Migration[] = [
  {
    name: 'functions-0001-functions-and-logs',
    async up(db) {
      await db.schema.createTable('lambda_functions')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('code_sha256', 'text', (c) => c.notNull())
        .addColumn('code_size', 'bigint', (c) => c.notNull())
        .addColumn('handler', 'text', (c) => c.notNull())
        .addColumn('environment', 'text', (c) => c.notNull())
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('memory_mb', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('revision_id', 'text', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('lambda_functions_pk', ['account_id', 'region', 'name'])
        .execute();
      await db.schema.createTable('lambda_invocation_logs')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('function_name', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('lambda_invocation_logs_pk', ['account_id', 'region', 'function_name', 'request_id'])
        .execute();
      await db.schema.createIndex('lambda_invocation_logs_time').on('lambda_invocation_logs')
        .columns(['account_id', 'region', 'function_name', 'started_at']).execute();
    },
  },
];
