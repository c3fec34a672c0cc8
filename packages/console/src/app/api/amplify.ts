import { restJson } from './console-client.ts';

/**
 * The Amplify Hosting REST-JSON API (2017-07-25), the same shapes `@aws-sdk/client-amplify` sends and reads.
 * Only the members the console uses are typed; times are epoch seconds as on the wire.
 */
export type Platform = 'WEB' | 'WEB_COMPUTE' | 'WEB_DYNAMIC';

export interface App {
  appId: string;
  appArn: string;
  name: string;
  description?: string;
  repository?: string;
  platform: Platform;
  createTime: number;
  updateTime: number;
  environmentVariables: Record<string, string>;
  defaultDomain: string;
  enableBranchAutoBuild: boolean;
  productionBranch?: { branchName?: string };
  iamServiceRoleArn?: string;
}

export interface Branch {
  branchArn: string;
  branchName: string;
  stage: string;
  displayName: string;
  enableAutoBuild: boolean;
  activeJobId: string;
  totalNumberOfJobs: string;
  environmentVariables: Record<string, string>;
  createTime: number;
}

export interface Webhook {
  webhookId: string;
  webhookUrl: string;
  appId?: string;
  branchName: string;
  description: string;
  createTime: number;
}

export type JobStatus = 'CREATED' | 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'FAILED' | 'SUCCEED' | 'CANCELLING' | 'CANCELLED';

export interface JobSummary {
  jobId: string;
  jobArn: string;
  commitId: string;
  commitMessage: string;
  commitTime: number;
  startTime: number;
  endTime?: number;
  status: JobStatus;
  jobType: 'RELEASE' | 'RETRY' | 'MANUAL' | 'WEB_HOOK';
}

export interface Step {
  stepName: string;
  startTime: number;
  endTime?: number;
  status: JobStatus;
  logUrl?: string;
  statusReason?: string;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

const seg = encodeURIComponent;
const app = (appId: string) => `/apps/${seg(appId)}`;
const branch = (appId: string, branchName: string) => `${app(appId)}/branches/${seg(branchName)}`;

export const isFinished = (status: JobStatus) => status === 'SUCCEED' || status === 'FAILED' || status === 'CANCELLED';

export const amplify = {
  async listApps(nextToken?: string): Promise<Page<App>> {
    const r = await restJson<{ apps: App[]; nextToken?: string }>('amplify', 'GET', '/apps', { query: { maxResults: 100, nextToken } });
    return { items: r.apps, nextToken: r.nextToken };
  },
  getApp: async (appId: string) => (await restJson<{ app: App }>('amplify', 'GET', app(appId))).app,
  createApp: async (input: { name: string; repository?: string; platform?: Platform; description?: string; environmentVariables?: Record<string, string> }) =>
    (await restJson<{ app: App }>('amplify', 'POST', '/apps', { body: input })).app,
  updateApp: async (appId: string, input: { name?: string; platform?: Platform; description?: string; environmentVariables?: Record<string, string> }) =>
    (await restJson<{ app: App }>('amplify', 'POST', app(appId), { body: input })).app,
  deleteApp: async (appId: string) => (await restJson<{ app: App }>('amplify', 'DELETE', app(appId))).app,

  async listBranches(appId: string, nextToken?: string): Promise<Page<Branch>> {
    const r = await restJson<{ branches: Branch[]; nextToken?: string }>('amplify', 'GET', `${app(appId)}/branches`, { query: { maxResults: 50, nextToken } });
    return { items: r.branches, nextToken: r.nextToken };
  },
  getBranch: async (appId: string, branchName: string) => (await restJson<{ branch: Branch }>('amplify', 'GET', branch(appId, branchName))).branch,
  createBranch: async (appId: string, input: { branchName: string; enableAutoBuild?: boolean; stage?: string }) =>
    (await restJson<{ branch: Branch }>('amplify', 'POST', `${app(appId)}/branches`, { body: input })).branch,
  updateBranch: async (appId: string, branchName: string, input: { enableAutoBuild?: boolean }) =>
    (await restJson<{ branch: Branch }>('amplify', 'POST', branch(appId, branchName), { body: input })).branch,

  async listWebhooks(appId: string): Promise<Webhook[]> {
    const all: Webhook[] = [];
    let nextToken: string | undefined;
    do {
      const r = await restJson<{ webhooks: Webhook[]; nextToken?: string }>('amplify', 'GET', `${app(appId)}/webhooks`, { query: { maxResults: 50, nextToken } });
      all.push(...r.webhooks);
      nextToken = r.nextToken;
    } while (nextToken);
    return all;
  },
  createWebhook: async (appId: string, input: { branchName: string; description?: string }) =>
    (await restJson<{ webhook: Webhook }>('amplify', 'POST', `${app(appId)}/webhooks`, { body: input })).webhook,
  deleteWebhook: async (webhookId: string) => (await restJson<{ webhook: Webhook }>('amplify', 'DELETE', `/webhooks/${seg(webhookId)}`)).webhook,

  async listJobs(appId: string, branchName: string, nextToken?: string, maxResults = 20): Promise<Page<JobSummary>> {
    const r = await restJson<{ jobSummaries: JobSummary[]; nextToken?: string }>('amplify', 'GET', `${branch(appId, branchName)}/jobs`, { query: { maxResults, nextToken } });
    return { items: r.jobSummaries, nextToken: r.nextToken };
  },
  getJob: async (appId: string, branchName: string, jobId: string) =>
    (await restJson<{ job: { summary: JobSummary; steps: Step[] } }>('amplify', 'GET', `${branch(appId, branchName)}/jobs/${seg(jobId)}`)).job,
  startJob: async (appId: string, branchName: string, input: { jobType: 'RELEASE' | 'RETRY'; jobId?: string; jobReason?: string }) =>
    (await restJson<{ jobSummary: JobSummary }>('amplify', 'POST', `${branch(appId, branchName)}/jobs`, { body: input })).jobSummary,
  stopJob: async (appId: string, branchName: string, jobId: string) =>
    (await restJson<{ jobSummary: JobSummary }>('amplify', 'DELETE', `${branch(appId, branchName)}/jobs/${seg(jobId)}/stop`)).jobSummary,
};

/** The DNS label Amplify (and Gantry) use for a branch in its site's host name. */
export function branchLabel(branchName: string): string {
  const label = branchName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
  return label || 'branch';
}

/** The branch's live site: `<branch>.<defaultDomain>`, over http when the domain names a port (the local listener). */
export function siteUrl(app: App, branchName: string): string {
  const scheme = /:\d+$/.test(app.defaultDomain) ? 'http:' : location.protocol;
  return `${scheme}//${branchLabel(branchName)}.${app.defaultDomain}/`;
}

/** Webhooks are called as the README shows: `curl -X POST -d {} "<webhookUrl>&operation=startbuild" -H "Content-Type:application/json"`. */
export const webhookCurl = (webhook: Webhook) => `curl -X POST -d {} "${webhook.webhookUrl}&operation=startbuild" -H "Content-Type:application/json"`;
