import { parse } from 'yaml';
import { GantryError } from '@gantry/core';
import { DEPLOY_ROLE, type Stage, type StageAccount } from './demo-accounts.ts';
import type { StageHosting } from './demo-hosting.ts';
import type { DemoProgress } from './demo-progress.ts';
import type { DemoSession } from './demo-session.ts';

interface ConnectionJson { connectionId: string; name: string; accountId: string; status: string; roles: string[] }

/**
 * Step 5, first half: a connection from the space to the stage's account, named after the stage (the workflow's
 * environments name it), accepted and given the deploy role by the account itself, as its owner would.
 */
export async function ensureConnection(session: DemoSession, space: string, account: StageAccount, progress: DemoProgress): Promise<void> {
  const spacePath = `/v1/spaces/${encodeURIComponent(space)}`;
  const { items } = await session.call<{ items: ConnectionJson[] }>('codecatalyst', 'GET', `${spacePath}/connections`);
  const done: string[] = [];
  let connection = items.find((c) => c.name === account.stage);
  if (connection && connection.accountId !== account.id) {
    throw new GantryError('Conflict', `Space ${space} has a connection named ${account.stage} to account ${connection.accountId}, not to the ${account.stage} account ${account.id}: remove it or use another --data-dir.`);
  }
  if (!connection) {
    connection = (await session.call<{ connection: ConnectionJson }>('codecatalyst', 'POST', `${spacePath}/connections`, { body: { name: account.stage, accountId: account.id } })).connection;
    done.push(`asked account ${account.id} for connection ${connection.connectionId}`);
  }
  const asAccount = { credentials: account.admin, region: account.region };
  const path = `/v1/connections/${encodeURIComponent(connection.connectionId)}`;
  if (connection.status === 'PENDING') {
    connection = (await session.call<{ connection: ConnectionJson }>('codecatalyst', 'POST', `${path}/accept`, asAccount)).connection;
    done.push('accepted by the account');
  } else if (connection.status !== 'ACTIVE') {
    throw new GantryError('Conflict', `Connection ${account.stage} of space ${space} is ${connection.status}: the account refused it. Remove it, or start over with another --data-dir.`);
  }
  const roleArn = `arn:aws:iam::${account.id}:role/${DEPLOY_ROLE}`;
  if (!connection.roles.includes(roleArn)) {
    await session.call('codecatalyst', 'PUT', `${path}/roles`, { ...asAccount, body: { roleArn } });
    done.push(`role ${DEPLOY_ROLE} added`);
  }
  progress.note(`connection ${account.stage}: ${done.length ? done.join(', ') : `active with role ${DEPLOY_ROLE}`}`);
}

/** The workflow with each stage's app id and webhook URL written over its placeholders. */
export function fillWorkflow(template: string, hosting: Record<Stage, StageHosting>): { name: string; content: string } {
  const values: Record<string, string> = {
    STAGING_APP_ID: hosting.staging.appId, STAGING_WEBHOOK_URL: hosting.staging.webhookUrl,
    PRODUCTION_APP_ID: hosting.production.appId, PRODUCTION_WEBHOOK_URL: hosting.production.webhookUrl,
  };
  const content = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => values[key] ?? whole);
  const left = /\{\{[A-Z_]+\}\}/.exec(content);
  if (left) throw new GantryError('ValidationError', `The workflow template has a placeholder the demo does not know: ${left[0]}.`);
  const name = (parse(content) as { Name?: string })?.Name;
  if (!name) throw new GantryError('ValidationError', 'The workflow template has no Name.');
  return { name, content };
}

/**
 * Step 5, second half: commits the workflow through the workflows API when `main` does not hold exactly this
 * content yet. Returns the new commit, or undefined when nothing changed.
 */
export async function commitWorkflow(session: DemoSession, space: string, project: string, repository: string, workflow: { name: string; content: string }): Promise<string | undefined> {
  const path = `/v1/spaces/${encodeURIComponent(space)}/projects/${encodeURIComponent(project)}/workflows/${encodeURIComponent(workflow.name)}`;
  const query = `?branch=main&repository=${encodeURIComponent(repository)}`;
  const current = await session.find<{ workflow: { content?: string } }>('codecatalyst', path + query);
  if (current?.workflow.content === workflow.content) return undefined;
  const saved = await session.call<{ commitId: string }>('codecatalyst', 'PUT', path, {
    body: { content: workflow.content, repository, branch: 'main', path: `.codecatalyst/workflows/${workflow.name}.yaml`, message: `Deploy to staging, then production (workflow ${workflow.name})` },
  });
  return saved.commitId;
}
