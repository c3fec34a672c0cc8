import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { isMap, isSeq, parseDocument, type Document, type YAMLMap } from 'yaml';
import { GantryError } from '@gantry/core';
import { detectFramework } from '@gantry/hosting';

const exec = promisify(execFile);

const EXAMPLES_DIR = resolve(import.meta.dirname, '../../../../examples');
/** The sample app the demo pushes unless told otherwise: Next.js (pages router), served by compute. */
export const SAMPLE_APP_DIR = join(EXAMPLES_DIR, 'next-todo-app');
/** The Vite + React sample: a static site. Its build spec is the one added to a non-Next.js app that has none. */
export const VITE_SAMPLE_APP_DIR = join(EXAMPLES_DIR, 'todo-app');
/** Where an app keeps the pipeline the demo commits, with `{{…}}` placeholders for the app ids and webhook URLs. */
const WORKFLOW_TEMPLATE = '.codecatalyst/workflows/deploy.yaml';
/** The pipeline committed for an app that has no template of its own. */
export const WORKFLOW_TEMPLATE_FILE = join(SAMPLE_APP_DIR, WORKFLOW_TEMPLATE);

/** Never pushed: installed packages, build outputs, local backend state, and the workflow (committed on its own). */
const EXCLUDED_ANYWHERE = new Set(['node_modules', '.git', 'dist', '.next', '.amplify', 'amplify_outputs.json']);
const EXCLUDED_AT_ROOT = new Set(['.codecatalyst']);

/** What the hosting build runs instead of deploying the backend: the workflow has deployed it already. */
export const GENERATE_OUTPUTS = 'npx ampx generate outputs --branch $AWS_BRANCH --app-id $AWS_APP_ID';
const PIPELINE_DEPLOY = /^\s*npx\s+ampx\s+pipeline-deploy\b/;
const GENERATES_OUTPUTS = /^\s*npx\s+ampx\s+generate\s+outputs\b/;

export interface PreparedApp {
  /** Repository and hosting app name. */
  name: string;
  /** The copy to push (no `.codecatalyst/`). */
  dir: string;
  /** The workflow file, placeholders not yet filled in. */
  workflowTemplate: string;
  /** What was changed in the copy, in words. */
  changes: string[];
  /**
   * The hosting app's platform, as Amplify Hosting would pick it: WEB_COMPUTE for a Next.js app built for its
   * server (`next` in package.json, not exported as a static site), WEB (a static site) otherwise.
   */
  platform: 'WEB' | 'WEB_COMPUTE';
}

/**
 * Copies an Amplify Gen 2 app (the sample by default) to `into`, making the one change the scenario needs, in the
 * copy only: the build spec's backend phase generates outputs instead of deploying (the workflow deploys the
 * backend). A missing lockfile is generated. The source directory is never written to.
 */
export async function prepareAppCopy(options: { appDir?: string; into: string; lockfileCache: string }): Promise<PreparedApp> {
  const source = resolve(options.appDir ?? SAMPLE_APP_DIR);
  if (!existsSync(join(source, 'package.json'))) {
    throw new GantryError('ValidationError', `${source} has no package.json: --app-dir must name the root of an Amplify Gen 2 app (package.json, amplify/, amplify.yml).`);
  }
  if (!existsSync(join(source, 'amplify'))) {
    throw new GantryError('ValidationError', `${source} has no amplify/ folder: --app-dir must name an Amplify Gen 2 app, whose backend is defined in amplify/backend.ts.`);
  }
  rmSync(options.into, { recursive: true, force: true });
  mkdirSync(options.into, { recursive: true });
  cpSync(source, options.into, {
    recursive: true,
    filter: (path) => {
      const rel = relative(source, path);
      if (rel === '') return true;
      const parts = rel.split(sep);
      return !parts.some((p) => EXCLUDED_ANYWHERE.has(p)) && !(parts.length === 1 && EXCLUDED_AT_ROOT.has(parts[0]!));
    },
  });
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as PackageManifest;
  const platform = await platformOf(source);
  const changes = [...rewriteBuildSpec(options.into, platform), ...(await ensureLockfile(options.into, options.lockfileCache))];
  return { name: repositoryName(manifest.name ?? basename(source)), dir: options.into, workflowTemplate: workflowTemplateOf(source), changes, platform };
}

interface PackageManifest {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * The platform Amplify Hosting picks for the app, by hosting's own framework detection: WEB_COMPUTE for a
 * server-rendered app (Next.js unless exported as a static site), WEB otherwise.
 */
export async function platformOf(appDir: string): Promise<'WEB' | 'WEB_COMPUTE'> {
  return (await detectFramework({ appDir })).platform;
}

/** The app's own pipeline template when it has one with the demo's placeholders, else the sample's. */
function workflowTemplateOf(appDir: string): string {
  const own = join(appDir, WORKFLOW_TEMPLATE);
  if (existsSync(own)) {
    const text = readFileSync(own, 'utf8');
    if (/\{\{(STAGING|PRODUCTION)_WEBHOOK_URL\}\}/.test(text)) return text;
  }
  return readFileSync(WORKFLOW_TEMPLATE_FILE, 'utf8');
}

/** `@scope/My App` → `my-app`: a name valid for repositories and hosting apps alike. */
function repositoryName(name: string): string {
  const bare = name.replace(/^@[^/]+\//, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return bare || 'app';
}

/**
 * In `amplify.yml` (each application's, in a monorepo spec), a backend `npx ampx pipeline-deploy …` becomes
 * `npx ampx generate outputs …`; a spec without a backend phase gets one. Comments and layout are kept.
 */
function rewriteBuildSpec(dir: string, platform: 'WEB' | 'WEB_COMPUTE'): string[] {
  const file = join(dir, 'amplify.yml');
  if (!existsSync(file)) {
    const nextjs = platform === 'WEB_COMPUTE';
    copyFileSync(join(nextjs ? SAMPLE_APP_DIR : VITE_SAMPLE_APP_DIR, 'amplify.yml'), file);
    return [`amplify.yml: none in the app, so the ${nextjs ? 'Next.js' : 'Vite'} sample's was added (generate outputs, npm ci, npm run build, publish ${nextjs ? '.next' : 'dist/'})`];
  }
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length) throw new GantryError('ValidationError', `amplify.yml does not parse: ${doc.errors[0]!.message}. Fix it with 'gantry buildspec check amplify.yml'.`);
  const changes: string[] = [];
  const applications = doc.get('applications');
  if (isSeq(applications)) {
    applications.items.forEach((app, i) => {
      if (isMap(app)) changes.push(...rewriteBackend(doc, app, `applications[${i}]`));
    });
  } else {
    changes.push(...rewriteBackend(doc, doc.contents as YAMLMap, ''));
  }
  if (changes.length) writeFileSync(file, doc.toString());
  return changes.map((c) => `amplify.yml: ${c}`);
}

function rewriteBackend(doc: Document, spec: YAMLMap, where: string): string[] {
  const at = where ? `${where}.` : '';
  const commands = spec.getIn(['backend', 'phases', 'build', 'commands']);
  if (!isSeq(commands)) {
    if (spec.has('backend')) {
      spec.setIn(['backend', 'phases', 'build', 'commands'], doc.createNode([GENERATE_OUTPUTS]));
    } else {
      spec.set('backend', doc.createNode({ phases: { build: { commands: [GENERATE_OUTPUTS] } } }));
    }
    return [`${at}backend: added a build phase running '${GENERATE_OUTPUTS}'`];
  }
  const changes: string[] = [];
  commands.items.forEach((item, i) => {
    const value = String((item as { value?: unknown }).value ?? item);
    if (PIPELINE_DEPLOY.test(value)) {
      commands.set(i, GENERATE_OUTPUTS);
      changes.push(`${at}backend: '${value.trim()}' → '${GENERATE_OUTPUTS}' (the workflow deploys the backend)`);
    }
  });
  if (!commands.items.some((item) => GENERATES_OUTPUTS.test(String((item as { value?: unknown }).value ?? item)))) {
    commands.add(GENERATE_OUTPUTS);
    changes.push(`${at}backend: added '${GENERATE_OUTPUTS}'`);
  }
  return changes;
}

/**
 * `npm ci` needs a lockfile: an app without one gets one generated in the copy. Generated lockfiles are kept by
 * the hash of the package.json they were made from, so a second demo run neither waits for the registry nor
 * pushes a different lockfile. An app's packages are otherwise left alone: its own `@aws-amplify/backend-cli`
 * is installed and handed over to Gantry's ampx in builds.
 */
async function ensureLockfile(dir: string, cacheDir: string): Promise<string[]> {
  const lockFile = join(dir, 'package-lock.json');
  if (existsSync(lockFile)) return [];
  // `v2`: lockfiles cached before the in-sync check may be incomplete.
  const key = createHash('sha256').update('v2\0').update(readFileSync(join(dir, 'package.json'))).digest('hex').slice(0, 32);
  const cached = join(cacheDir, `${key}.json`);
  if (existsSync(cached) && statSync(cached).size > 0) {
    copyFileSync(cached, lockFile);
  } else {
    const npm = (args: string[]) => exec('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    try {
      // One `--package-lock-only` pass can leave peers of peers out (the Amplify templates' aws-cdk tree), which
      // `npm ci` then refuses as out of sync; another pass adds them. `npm ci --dry-run` says when it is complete.
      for (let pass = 1; ; pass++) {
        await npm(['install', '--package-lock-only']);
        const inSync = await npm(['ci', '--dry-run']).then(() => true, (error: any) => (/EUSAGE/.test(String(error.stderr)) ? false : Promise.reject(error)));
        if (inSync) break;
        if (pass === 3) throw Object.assign(new Error('npm ci still finds it out of sync with package.json after three passes'), { stderr: '' });
      }
    } catch (error: any) {
      throw new GantryError('InternalFailure', `npm could not generate the copy's package-lock.json: ${String(error.stderr || error.message).trim().split('\n').slice(-5).join(' ')}. It needs the npm registry; check the network or npm's registry setting.`);
    }
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(lockFile, cached);
  }
  return ['package-lock.json: none in the app, so one was generated (the build runs npm ci)'];
}
