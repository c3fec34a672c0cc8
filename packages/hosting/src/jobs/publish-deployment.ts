/**
 * The DEPLOY step of a compute app (platform WEB_COMPUTE), as Amplify Hosting does it: a Next.js build (`.next`)
 * is turned into a deployment-specification bundle by Gantry's adapter; any other build whose artifacts hold
 * `.amplify-hosting/deploy-manifest.json` (Nuxt's, SvelteKit's and Astro's Amplify adapters write one) is
 * published as it is. The version gets the bundle's `static/` files, its routes and its stored compute bundle;
 * nothing else of the artifacts is published, so server code is never downloadable.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { GantryError } from '@gantry/core';
import type { ComputeBundleStore } from '../compute/compute-bundles.ts';
import { DeployManifestError, findDeploymentBundle, formatManifestIssue, loadDeployManifest } from '../compute/deploy-manifest.ts';
import { bundleNextjs, detectFramework, type DetectedFramework } from '../frameworks/index.ts';
import type { SiteDeployment, SiteFileInput } from '../sites/site-store.ts';

export interface PublishedDeployment {
  /** The files of the bundle's `static/` folder, for the site version. */
  files: SiteFileInput[];
  staticDir: string;
  deployment: SiteDeployment;
  framework: string;
}

/**
 * Finds (or, for Next.js, makes) the deployment bundle of a finished build. Undefined when the artifacts are a
 * plain static site. Throws a GantryError saying what is wrong with a bundle that cannot be published.
 */
export async function prepareDeployment(args: {
  src: string; appRoot: string; artifactsDir: string; workDir: string; bundles: ComputeBundleStore; log: (text: string) => void;
}): Promise<PublishedDeployment | undefined> {
  const appDir = join(args.src, args.appRoot);
  const detected = await detectFramework({ appDir, baseDirectory: args.artifactsDir, rootDir: args.src });
  let bundleDir = await findDeploymentBundle(args.artifactsDir);
  if (!bundleDir && detected.deployment === 'nextjs') bundleDir = await bundleNext(detected, appDir, args);
  if (!bundleDir) return undefined;

  let bundle;
  try {
    bundle = await loadDeployManifest(bundleDir);
  } catch (error) {
    if (error instanceof DeployManifestError) throw new GantryError('ValidationError', `The deployment bundle ${relative(args.src, bundleDir) || '.'} cannot be published:\n${error.message}`);
    throw error;
  }
  for (const warning of bundle.warnings) args.log(`# ${formatManifestIssue(warning)}`);
  const stored = bundle.manifest.computeResources.length ? await args.bundles.ingest(bundle) : undefined;
  // A bundle may have no static/ at all (every route Compute): the version then has no files.
  const staticDir = bundle.staticDir ?? (await mkdtemp(join(args.workDir, 'no-static-')));
  const files = bundle.staticDir ? await listFiles(bundle.staticDir) : [];
  // Amplify's name for a framework it knows (`Next.js - SSR`), else what the adapter wrote.
  const framework = detected.name !== 'Web' ? detected.name : bundle.manifest.framework.name;
  args.log(`# ${framework} ${bundle.manifest.framework.version}: ${bundle.manifest.routes.length} routes, ${files.length} static files, compute ${bundle.manifest.computeResources.map((r) => `${r.name} (${r.runtime})`).join(', ') || 'none'}`);
  return { files, staticDir, framework, deployment: { manifest: bundle.manifest, ...(stored ? { bundleId: stored.bundleId } : {}) } };
}

async function bundleNext(detected: DetectedFramework, appDir: string, args: { src: string; artifactsDir: string; workDir: string; log: (text: string) => void }): Promise<string> {
  if (!detected.supported) throw new GantryError('ValidationError', `${detected.name} cannot be deployed: ${detected.problems.join('; ') || detected.reason}`);
  const outDir = join(args.workDir, 'deploy', '.amplify-hosting');
  const bundled = await bundleNextjs({ appDir, distDir: args.artifactsDir, outDir, rootDir: args.src });
  args.log(`# Next.js ${bundled.nextVersion}: bundled for compute from ${bundled.mode === 'standalone' ? 'its standalone output' : 'the app and its node_modules'} (static ${bundled.static.files} files, compute ${bundled.compute.files} files)`);
  for (const warning of bundled.warnings) args.log(`# ${warning}`);
  return outDir;
}

async function listFiles(dir: string): Promise<SiteFileInput[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => {
    const source = join(e.parentPath, e.name);
    return { source, target: relative(dir, source) };
  });
}
