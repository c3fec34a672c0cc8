import { relative, resolve } from 'node:path';
import type { Stage } from './demo-accounts.ts';
import { seconds, type DemoProgress } from './demo-progress.ts';

export interface StageSummary {
  id: string;
  region: string;
  appId: string;
  /** `http://main.<appId>.localhost:<port>/` */
  siteUrl: string;
  /** `http://127.0.0.1:<port>/_sites/<appId>/main/`: the same site, for clients that cannot resolve `*.localhost`. */
  hostSiteUrl: string;
  /** `data.url` of the backend the site uses, when it has a data API. */
  dataUrl?: string;
  webhookUrl: string;
}

/** What `gantry demo --json` prints: one object, on one line. */
export interface DemoSummary {
  dataDir: string;
  url: string;
  httpsUrl: string;
  space: string;
  project: string;
  repository: { name: string; cloneUrl: string };
  accounts: Record<Stage, StageSummary>;
  run: { id: string; status: string; actions: Array<{ name: string; status: string }> };
  builds: Record<Stage, { jobId: string; status: string }>;
}

/**
 * The CLI by absolute path: inside the cloned app, `npx gantry` would look in the app's own node_modules (and
 * then the registry), not in this checkout.
 */
const GANTRY_BIN = resolve(import.meta.dirname, '../../bin/gantry.mjs');

/** The closing words of an interactive demo: where everything is and how to see the pipeline run again. */
export function printClosingSummary(progress: DemoProgress, summary: DemoSummary, keepServing: boolean): void {
  const nearby = relative(process.cwd(), summary.dataDir) || '.';
  const dataDir = nearby.startsWith('..') ? summary.dataDir : nearby;
  const stage = (name: Stage) => {
    const s = summary.accounts[name];
    return [
      `  ${name.padEnd(11)} ${s.siteUrl}`,
      `              ${s.hostSiteUrl}`,
      `              account ${s.id} (${s.region}), app ${s.appId}, build job ${summary.builds[name].jobId} ${summary.builds[name].status}`,
      ...(s.dataUrl ? [`              data API ${s.dataUrl}`] : []),
    ];
  };
  progress.print([
    '',
    `The pipeline is live (${seconds(progress.elapsedMs)}).`,
    `  server      ${summary.url}  (AWS endpoint; AWS_CONFIG_FILE=${summary.dataDir}/aws-config for SDKs and CLIs)`,
    `  console     ${summary.url}/  (sign in with the access keys in ${summary.dataDir}/credentials)`,
    ...stage('staging'),
    ...stage('production'),
    `  pipeline    run ${summary.run.id} ${summary.run.status}: ${summary.run.actions.map((a) => `${a.name} ${a.status}`).join(', ')}`,
    `  repository  ${summary.repository.cloneUrl}  (space ${summary.space}, project ${summary.project})`,
    '',
    'Push a change to see the pipeline run again:',
    `  export GANTRY_DATA_DIR=${summary.dataDir}`,
    `  git -c credential.helper='!node ${GANTRY_BIN} git-credential' clone ${summary.repository.cloneUrl} ${summary.repository.name}`,
    `  cd ${summary.repository.name} && git config credential.helper '!node ${GANTRY_BIN} git-credential'`,
    '  # change something (the sample app shows its version from lib/version.ts; the Vite one from src/version.ts), then:',
    '  git commit -am "A new version" && git push',
    `  node ${GANTRY_BIN} runs list --space ${summary.space} --project ${summary.project}   # or run the demo again: it follows the new run`,
    '',
    'The data APIs are served over HTTPS by a local CA: a browser must trust',
    `${dataDir}/tls/ca.pem for the live updates (wss://) to work.`,
    ...(keepServing ? [`Ctrl-C stops the server; everything is kept under ${dataDir}.`] : []),
  ].join('\n'));
}
