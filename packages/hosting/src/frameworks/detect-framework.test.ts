import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectFramework, type DetectedFramework } from './detect-framework.ts';

interface Case {
  name: string;
  /** Files of the app (relative paths → contents; objects are written as JSON). */
  files: Record<string, string | object>;
  baseDirectory?: string;
  /** The app's folder inside the checkout, for monorepos. */
  appRoot?: string;
  expect: Partial<DetectedFramework>;
  problem?: RegExp;
}

const pkg = (deps: Record<string, string>, build?: string, dev: Record<string, string> = {}) => ({
  dependencies: deps,
  devDependencies: dev,
  ...(build ? { scripts: { build } } : {}),
});
const installed = (name: string, version: string) => ({ [`node_modules/${name}/package.json`]: { name, version } });
const serverBuild = { '.next/required-server-files.json': { version: 1, config: {} } };

const cases: Case[] = [
  {
    name: 'next build with .next artifacts is Next.js - SSR',
    files: { 'package.json': pkg({ next: '14.2.35', react: '18.3.1' }, 'next build'), ...installed('next', '14.2.35'), ...serverBuild },
    baseDirectory: '.next',
    expect: { name: 'Next.js - SSR', platform: 'WEB_COMPUTE', deployment: 'nextjs', version: '14.2.35', versionSource: 'installed', majorVersion: 14, supported: true },
  },
  {
    name: 'next in devDependencies, before the build',
    files: { 'package.json': pkg({}, 'next build', { next: '^13.5.6' }) },
    expect: { name: 'Next.js - SSR', deployment: 'nextjs', version: '^13.5.6', versionSource: 'package.json', majorVersion: 13, supported: true },
  },
  {
    name: 'next build && next export is Next.js - SSG',
    files: { 'package.json': pkg({ next: '13.4.0' }, 'next build && next export') },
    expect: { name: 'Next.js - SSG', platform: 'WEB', deployment: 'static', majorVersion: 13 },
  },
  {
    name: "output: 'export' in next.config is Next.js - SSG",
    files: { 'package.json': pkg({ next: '14.1.0' }, 'next build'), 'next.config.mjs': "export default { output: 'export', images: { unoptimized: true } };\n" },
    expect: { name: 'Next.js - SSG', deployment: 'static' },
  },
  {
    name: 'artifacts in out are Next.js - SSG',
    files: { 'package.json': pkg({ next: '14.1.0' }, 'next build'), 'out/index.html': '<p>hi</p>' },
    baseDirectory: 'out',
    expect: { name: 'Next.js - SSG', platform: 'WEB', deployment: 'static' },
  },
  {
    name: "an exported app whose artifacts are .next: Amplify's missing required-server-files.json",
    files: { 'package.json': pkg({ next: '14.1.0' }, 'next build'), 'next.config.js': "module.exports = { output: 'export' };\n", '.next/BUILD_ID': 'x' },
    baseDirectory: '.next',
    expect: { name: 'Next.js - SSR', deployment: 'nextjs' },
    problem: /required-server-files\.json.*baseDirectory to out/,
  },
  {
    name: 'Next.js 15 is supported',
    files: { 'package.json': pkg({ next: '15.0.3' }, 'next build'), ...installed('next', '15.0.3') },
    expect: { name: 'Next.js - SSR', version: '15.0.3', majorVersion: 15, supported: true },
  },
  {
    name: 'Next.js 11 is not (Classic SSR only)',
    files: { 'package.json': pkg({ next: '^11.1.0' }, 'next build'), ...installed('next', '11.1.4') },
    expect: { name: 'Next.js - SSR', version: '11.1.4', majorVersion: 11, supported: false },
    problem: /older than 12/,
  },
  {
    name: 'Next.js 16 is not (12 to 15)',
    files: { 'package.json': pkg({ next: '16.0.0' }, 'next build'), ...installed('next', '16.0.0') },
    expect: { name: 'Next.js - SSR', majorVersion: 16, supported: false },
    problem: /12 to 15/,
  },
  {
    name: 'a monorepo app reports the version hoisted to the repository root',
    files: { 'apps/web/package.json': pkg({ next: '^14.0.0' }, 'next build'), ...installed('next', '14.2.3') },
    appRoot: 'apps/web',
    expect: { name: 'Next.js - SSR', version: '14.2.3', versionSource: 'installed' },
  },
  {
    name: 'Nuxt 3 emits the deployment specification',
    files: { 'package.json': pkg({ nuxt: '^3.8.1' }, 'nuxt build') },
    expect: { name: 'Nuxt', platform: 'WEB_COMPUTE', deployment: 'deploy-spec', version: '^3.8.1', majorVersion: 3 },
  },
  {
    name: 'Nuxt 3 after its build, from the .amplify-hosting it wrote',
    files: { 'package.json': pkg({ nuxt: '3.8.1' }, 'nuxt build'), '.amplify-hosting/deploy-manifest.json': { version: 1, routes: [] } },
    baseDirectory: '.amplify-hosting',
    expect: { name: 'Nuxt', deployment: 'deploy-spec', reason: 'the build wrote .amplify-hosting/deploy-manifest.json' },
  },
  {
    name: 'Nuxt 2 is a static site',
    files: { 'package.json': pkg({ nuxt: '^2.17.0' }, 'nuxt generate') },
    expect: { name: 'Nuxt', platform: 'WEB', deployment: 'static' },
  },
  {
    name: 'SvelteKit with amplify-adapter',
    files: { 'package.json': pkg({}, 'vite build', { '@sveltejs/kit': '^2.5.0', 'amplify-adapter': '^1.2.0' }) },
    expect: { name: 'SvelteKit', platform: 'WEB_COMPUTE', deployment: 'deploy-spec', majorVersion: 2 },
  },
  {
    name: 'SvelteKit without it is a static site',
    files: { 'package.json': pkg({}, 'vite build', { '@sveltejs/kit': '^2.5.0', '@sveltejs/adapter-static': '^3.0.0' }) },
    expect: { name: 'SvelteKit', platform: 'WEB', deployment: 'static' },
  },
  {
    name: 'Astro with astro-aws-amplify',
    files: { 'package.json': pkg({ astro: '^4.4.0', 'astro-aws-amplify': '^0.1.0' }, 'astro build') },
    expect: { name: 'Astro', platform: 'WEB_COMPUTE', deployment: 'deploy-spec', majorVersion: 4 },
  },
  {
    name: 'Astro without it is a static site',
    files: { 'package.json': pkg({ astro: '^4.4.0' }, 'astro build') },
    expect: { name: 'Astro', platform: 'WEB', deployment: 'static' },
  },
  {
    name: 'a Vite React app is Web',
    files: { 'package.json': pkg({ react: '^18.3.1' }, 'vite build', { vite: '^5.0.0' }) },
    baseDirectory: 'dist',
    expect: { name: 'Web', platform: 'WEB', deployment: 'static' },
  },
  {
    name: 'no package.json is Web',
    files: { 'index.html': '<p>hi</p>' },
    expect: { name: 'Web', deployment: 'static', reason: 'no package.json' },
  },
  {
    name: 'any build that wrote .amplify-hosting is deployed from it',
    files: { 'package.json': pkg({ 'my-framework': '1.0.0' }, 'my-framework build'), '.amplify-hosting/deploy-manifest.json': { version: 1, routes: [] } },
    expect: { name: 'Web', platform: 'WEB_COMPUTE', deployment: 'deploy-spec' },
  },
];

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'gantry-detect-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('detectFramework', () => {
  cases.forEach((c, index) => {
    test(c.name, async () => {
      const root = join(scratch, String(index));
      for (const [path, content] of Object.entries(c.files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
      }
      const appDir = c.appRoot ? join(root, c.appRoot) : root;
      const detected = await detectFramework({ appDir, rootDir: root, ...(c.baseDirectory !== undefined && { baseDirectory: c.baseDirectory }) });
      const picked = Object.fromEntries(Object.keys(c.expect).map((key) => [key, detected[key as keyof DetectedFramework]]));
      assert.deepEqual(picked, c.expect, detected.reason);
      if (c.problem) assert.match(detected.problems.join('\n'), c.problem);
      else assert.deepEqual(detected.problems, []);
    });
  });
});
