import { toStackName } from '@gantry/backend';
import type { StageAccount } from './demo-accounts.ts';
import { BRANCH, type StageHosting } from './demo-hosting.ts';
import { PipelineFailure } from './demo-follow.ts';
import type { DemoSession } from './demo-session.ts';

/** Checks that the live site answers with HTML; returns the page's size. */
export async function checkSiteServes(stage: string, hosting: StageHosting): Promise<number> {
  const response = await fetch(hosting.hostSiteUrl);
  const body = await response.text();
  if (!response.ok || !/text\/html/.test(response.headers.get('content-type') ?? '')) {
    throw new PipelineFailure(`The ${stage} site at ${hosting.hostSiteUrl} does not serve its page: ${response.status} ${response.headers.get('content-type') ?? ''}.`, 'its answer began:', body.slice(0, 600));
  }
  return body.length;
}

/**
 * `data.url` of the outputs the site was built with: the published `amplify_outputs.json` when the build
 * publishes it, else the deployed backend's outputs (what `ampx generate outputs` fetched during the build).
 */
export async function dataUrlOf(session: DemoSession, account: StageAccount, hosting: StageHosting): Promise<string | undefined> {
  try {
    const published = await fetch(`${hosting.hostSiteUrl}amplify_outputs.json`);
    if (published.ok && /json/.test(published.headers.get('content-type') ?? '')) {
      const url = ((await published.json()) as { data?: { url?: string } }).data?.url;
      if (url) return url;
    } else {
      await published.arrayBuffer();
    }
  } catch {
    // Not published: ask the backend below.
  }
  const stackName = toStackName({ namespace: hosting.appId, name: BRANCH, type: 'branch' });
  const outputs = await session.find<{ data?: { url?: string } }>('cloudformation', `/_gantry/backends/stacks/${stackName}/outputs`, { credentials: account.admin, region: account.region });
  return outputs?.data?.url;
}
