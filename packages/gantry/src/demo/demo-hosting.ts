import {
  CreateAppCommand, CreateBranchCommand, CreateWebhookCommand, GetBranchCommand, ListAppsCommand, ListWebhooksCommand,
  NotFoundException, UpdateAppCommand, UpdateBranchCommand, type App,
} from '@aws-sdk/client-amplify';
import { HOSTING_SERVICE_ROLE, type StageAccount } from './demo-accounts.ts';
import type { DemoProgress } from './demo-progress.ts';
import type { DemoSession } from './demo-session.ts';

export const BRANCH = 'main';

/** WEB_COMPUTE: a server-rendered app (Next.js) run on compute; WEB: a static site. */
export type Platform = 'WEB' | 'WEB_COMPUTE';

export interface StageHosting {
  appId: string;
  webhookUrl: string;
  /** The branch site under its own host name. */
  siteUrl: string;
  /** The same site under the server's host, for clients that cannot resolve `*.localhost`. */
  hostSiteUrl: string;
}

/**
 * Step 4, for one account: the hosting app connected to the repository (found by name and repository, else
 * created with the hosting service role) on the platform the app needs (WEB_COMPUTE for a Next.js server
 * build, WEB for a static site), its `main` branch with auto build disabled (the workflow starts builds), and
 * the branch's incoming webhook.
 */
export async function ensureHosting(
  session: DemoSession, account: StageAccount, appName: string, cloneUrl: string, platform: Platform, progress: DemoProgress,
): Promise<StageHosting> {
  const amplify = session.amplify(account.admin, account.region);
  const serviceRoleArn = `arn:aws:iam::${account.id}:role/${HOSTING_SERVICE_ROLE}`;
  const done: string[] = [];

  let app = await findApp(amplify, appName, cloneUrl);
  if (!app) {
    app = (await amplify.send(new CreateAppCommand({ name: appName, repository: cloneUrl, iamServiceRoleArn: serviceRoleArn, platform }))).app!;
    done.push(`created ${platform} app ${app.appId}`);
  } else {
    done.push(`app ${app.appId} exists`);
    // A server restarted on another port hands out other clone URLs: the app must follow, or its builds cannot
    // clone. An app made for another sample (a static site for a Next.js app, or the other way) changes platform;
    // its next build publishes the right kind of site.
    const update = {
      ...(app.iamServiceRoleArn !== serviceRoleArn ? { iamServiceRoleArn: serviceRoleArn } : {}),
      ...(app.repository !== cloneUrl ? { repository: cloneUrl } : {}),
      ...(app.platform !== platform ? { platform } : {}),
    };
    if (Object.keys(update).length) {
      await amplify.send(new UpdateAppCommand({ appId: app.appId, ...update }));
      done.push(`${Object.keys(update).join(' and ')} brought up to date${update.platform ? ` (${app.platform} → ${platform})` : ''}`);
    }
  }
  const appId = app.appId!;

  try {
    const { branch } = await amplify.send(new GetBranchCommand({ appId, branchName: BRANCH }));
    if (branch?.enableAutoBuild) {
      await amplify.send(new UpdateBranchCommand({ appId, branchName: BRANCH, enableAutoBuild: false }));
      done.push('auto build turned off');
    }
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    await amplify.send(new CreateBranchCommand({ appId, branchName: BRANCH, enableAutoBuild: false, stage: account.stage === 'production' ? 'PRODUCTION' : 'BETA' }));
    done.push(`created branch ${BRANCH} (auto build off)`);
  }

  const webhooks = [];
  let nextToken: string | undefined;
  do {
    const page = await amplify.send(new ListWebhooksCommand({ appId, nextToken }));
    webhooks.push(...(page.webhooks ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  let webhook = webhooks.find((w) => w.branchName === BRANCH);
  if (!webhook) {
    webhook = (await amplify.send(new CreateWebhookCommand({ appId, branchName: BRANCH, description: 'started by the deploy workflow' }))).webhook!;
    done.push('created webhook');
  }
  progress.note(`${account.stage}: ${done.join(', ')}`);

  const server = new URL(session.server.url);
  return {
    appId,
    webhookUrl: webhook.webhookUrl!,
    siteUrl: `http://${BRANCH}.${appId}.localhost:${server.port}/`,
    hostSiteUrl: `${session.server.url}/_sites/${appId}/${BRANCH}/`,
  };
}

/** The app of that name connected to the repository, whatever host and port its clone URL was handed out under. */
async function findApp(amplify: ReturnType<DemoSession['amplify']>, name: string, repository: string): Promise<App | undefined> {
  const repositoryPath = pathOf(repository);
  let nextToken: string | undefined;
  do {
    const page = await amplify.send(new ListAppsCommand({ nextToken }));
    const found = page.apps?.find((a) => a.name === name && a.repository !== undefined && pathOf(a.repository) === repositoryPath);
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\.git$/, '');
  } catch {
    return url;
  }
}
