export { createHostingApi, type HostingApi, type HostingApiOptions } from './amplify-api.ts';
export { hostingMigrations, type HostingTables } from './hosting-tables.ts';
export type { HostingContext, Scope } from './hosting-context.ts';
export { authenticateWebhook, type WebhookRow } from './webhooks.ts';
export { requireBranch, findBranch, type BranchRow } from './branches.ts';
export { requireApp, findApp, type AppRow } from './apps.ts';
export { appArn, branchArn, webhookArn, webhookResourceArn } from './amplify-shapes.ts';
