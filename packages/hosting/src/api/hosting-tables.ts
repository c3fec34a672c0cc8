import type { Migration } from '@gantry/store';

/**
 * Hosting's tables: apps, their branches and incoming webhooks. Every row carries the account and region it
 * lives in (Amplify apps are regional), and every query filters on both. Timestamps are epoch milliseconds;
 * maps, lists and structures are JSON text; booleans are 0/1.
 */
export interface HostingTables {
  hosting_apps: {
    app_id: string; account_id: string; region: string; name: string; description: string; repository: string;
    platform: string; environment_variables: string; build_spec: string | null; custom_rules: string;
    custom_headers: string | null; enable_branch_auto_build: number; enable_branch_auto_deletion: number;
    enable_basic_auth: number; basic_auth_credentials: string | null; iam_service_role_arn: string | null;
    compute_role_arn: string | null; enable_auto_branch_creation: number; auto_branch_creation_patterns: string;
    auto_branch_creation_config: string | null; cache_config_type: string | null; build_compute_type: string | null;
    tags: string; created_at: number; updated_at: number;
  };
  hosting_branches: {
    app_id: string; branch_name: string; account_id: string; region: string; description: string; stage: string;
    framework: string; display_name: string; enable_notification: number; enable_auto_build: number;
    enable_skew_protection: number; environment_variables: string; enable_basic_auth: number;
    basic_auth_credentials: string | null; enable_performance_mode: number; build_spec: string | null; ttl: string;
    enable_pull_request_preview: number; pull_request_environment_name: string | null;
    backend_environment_arn: string | null; backend_stack_arn: string | null; compute_role_arn: string | null;
    tags: string; active_job_id: string; total_number_of_jobs: number; created_at: number; updated_at: number;
  };
  hosting_webhooks: {
    webhook_id: string; account_id: string; region: string; app_id: string; branch_name: string; description: string;
    /** sha-256 of the token, compared when the webhook URL is called. */
    token_hash: string;
    /** The token sealed with the server's SecretBox, so Get/List can hand the full URL back as AWS does. */
    sealed_token: string;
    created_at: number; updated_at: number;
  };
}

export const hostingMigrations: Migration[] = [
  {
    name: 'hosting-0001-apps-branches-webhooks',
    async up(db) {
      await db.schema.createTable('hosting_apps')
        .addColumn('app_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('repository', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('environment_variables', 'text', (c) => c.notNull())
        .addColumn('build_spec', 'text')
        .addColumn('custom_rules', 'text', (c) => c.notNull())
        .addColumn('custom_headers', 'text')
        .addColumn('enable_branch_auto_build', 'integer', (c) => c.notNull())
        .addColumn('enable_branch_auto_deletion', 'integer', (c) => c.notNull())
        .addColumn('enable_basic_auth', 'integer', (c) => c.notNull())
        .addColumn('basic_auth_credentials', 'text')
        .addColumn('iam_service_role_arn', 'text')
        .addColumn('compute_role_arn', 'text')
        .addColumn('enable_auto_branch_creation', 'integer', (c) => c.notNull())
        .addColumn('auto_branch_creation_patterns', 'text', (c) => c.notNull())
        .addColumn('auto_branch_creation_config', 'text')
        .addColumn('cache_config_type', 'text')
        .addColumn('build_compute_type', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('hosting_apps_by_scope').on('hosting_apps').columns(['account_id', 'region', 'app_id']).execute();

      await db.schema.createTable('hosting_branches')
        .addColumn('app_id', 'text', (c) => c.notNull().references('hosting_apps.app_id').onDelete('cascade'))
        .addColumn('branch_name', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('framework', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('enable_notification', 'integer', (c) => c.notNull())
        .addColumn('enable_auto_build', 'integer', (c) => c.notNull())
        .addColumn('enable_skew_protection', 'integer', (c) => c.notNull())
        .addColumn('environment_variables', 'text', (c) => c.notNull())
        .addColumn('enable_basic_auth', 'integer', (c) => c.notNull())
        .addColumn('basic_auth_credentials', 'text')
        .addColumn('enable_performance_mode', 'integer', (c) => c.notNull())
        .addColumn('build_spec', 'text')
        .addColumn('ttl', 'text', (c) => c.notNull())
        .addColumn('enable_pull_request_preview', 'integer', (c) => c.notNull())
        .addColumn('pull_request_environment_name', 'text')
        .addColumn('backend_environment_arn', 'text')
        .addColumn('backend_stack_arn', 'text')
        .addColumn('compute_role_arn', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('active_job_id', 'text', (c) => c.notNull())
        .addColumn('total_number_of_jobs', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('hosting_branches_pk', ['app_id', 'branch_name'])
        .execute();

      await db.schema.createTable('hosting_webhooks')
        .addColumn('webhook_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('app_id', 'text', (c) => c.notNull().references('hosting_apps.app_id').onDelete('cascade'))
        .addColumn('branch_name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('sealed_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('hosting_webhooks_by_app').on('hosting_webhooks').columns(['app_id', 'webhook_id']).execute();
    },
  },
];
