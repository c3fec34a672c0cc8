// Deploy manifest checks: a table of manifests that break one rule each (and the message that names the field and
// the fix), valid manifests and their normalised form, and the checks of a bundle on disk.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeployManifestError, findDeploymentBundle, formatManifestIssue, loadDeployManifest, parseDeployManifest } from './deploy-manifest.ts';

const compute = (src = 'default') => ({ kind: 'Compute', src });
const base = () => ({
  version: 1,
  routes: [
    { path: '/_next/static/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
    { path: '/*.*', target: { kind: 'Static' }, fallback: compute() },
    { path: '/*', target: compute() },
  ] as unknown[],
  computeResources: [{ name: 'default', runtime: 'nodejs20.x', entrypoint: 'server.js' }] as unknown[],
  framework: { name: 'next', version: '14.2.3' },
}) as Record<string, any>;

function issuesOf(manifest: unknown): string[] {
  try {
    parseDeployManifest(manifest);
  } catch (error) {
    assert.ok(error instanceof DeployManifestError, String(error));
    return error.issues.map((i) => `${i.path} ${i.message}`);
  }
  assert.fail('the manifest was accepted');
}

describe('parseDeployManifest', () => {
  const table: Array<[string, (m: Record<string, any>) => unknown, RegExp]> = [
    ['not JSON', () => '{"version": 1,', /^deploy-manifest\.json is not valid JSON/],
    ['not an object', () => [1, 2], /^deploy-manifest\.json must be a JSON object/],
    ['version 2', (m) => ({ ...m, version: 2 }), /^version must be 1 .*found 2/],
    ['no routes', (m) => ({ ...m, routes: undefined }), /^routes must be an array/],
    ['empty routes', (m) => ({ ...m, routes: [] }), /^routes is empty: add at least the catch-all route/],
    ['26 routes', (m) => ({ ...m, routes: [...Array.from({ length: 25 }, (_, i) => ({ path: `/r${i}`, target: { kind: 'Static' } })), m.routes[2]] }), /^routes has 26 routes; the specification allows at most 25/],
    ['no catch-all at the end', (m) => ({ ...m, routes: m.routes.slice(0, 2) }), /^routes\[1\]\.path must be the catch-all "\/\*".*found "\/\*\.\*"/],
    ['catch-all not last', (m) => ({ ...m, routes: [m.routes[2], m.routes[0], m.routes[2]] }), /^routes\[0\]\.path is the catch-all "\/\*", so routes\[1\] to routes\[2\] can never match/],
    ['path without /', (m) => (m.routes[0].path = '_next/*', m), /^routes\[0\]\.path must start with '\/'.*write "\/_next\/\*"/],
    ['path with ?', (m) => (m.routes[0].path = '/a?b', m), /^routes\[0\]\.path may only contain .* has "\?"/],
    ['path too long', (m) => (m.routes[0].path = `/${'a'.repeat(255)}`, m), /^routes\[0\]\.path is 256 characters long; the limit is 255/],
    ['unknown kind', (m) => (m.routes[0].target.kind = 'Lambda', m), /^routes\[0\]\.target\.kind must be one of Static, Compute, ImageOptimization; found "Lambda"/],
    ['Compute without src', (m) => (delete m.routes[2].target.src, m), /^routes\[2\]\.target\.src is required for a Compute target: .*'default'/],
    ['src naming an undefined resource', (m) => (m.routes[2].target.src = 'api', m), /^routes\[2\]\.target\.src names compute resource 'api' which computeResources does not define: add \{ "name": "api"/],
    ['src on Static', (m) => (m.routes[0].target.src = 'default', m), /^routes\[0\]\.target\.src is only valid for Compute targets/],
    ['cacheControl on Compute', (m) => (m.routes[2].target.cacheControl = 'no-store', m), /^routes\[2\]\.target\.cacheControl is only valid for Static and ImageOptimization targets/],
    ['fallback of the same kind', (m) => (m.routes[1].fallback = { kind: 'Static' }, m), /^routes\[1\]\.fallback\.kind is Static, like the target/],
    ['ImageOptimization without imageSettings', (m) => (m.routes.unshift({ path: '/_next/image', target: { kind: 'ImageOptimization' } }), m), /^routes\[0\]\.target\.kind is ImageOptimization, which needs imageSettings/],
    ['ImageOptimization without Compute', (m) => ({ ...m, imageSettings: {}, computeResources: [], routes: [{ path: '/_img', target: { kind: 'ImageOptimization' } }, { path: '/*', target: { kind: 'Static' } }] }), /^routes has an ImageOptimization route but no Compute route/],
    ['resource without a route', (m) => (m.computeResources.push({ name: 'api', runtime: 'nodejs20.x', entrypoint: 'index.js' }), m), /^computeResources\[1\] \('api'\) is not the target of any route/],
    ['duplicate resource', (m) => (m.computeResources.push({ ...m.computeResources[0] }), m), /^computeResources\[1\]\.name repeats 'default'/],
    ['bad resource name', (m) => (m.computeResources[0].name = '../etc', m), /^computeResources\[0\]\.name must name the resource's subdirectory/],
    ['python runtime', (m) => (m.computeResources[0].runtime = 'python3.12', m), /^computeResources\[0\]\.runtime must be a Node\.js runtime/],
    ['entrypoint escaping', (m) => (m.computeResources[0].entrypoint = '../server.js', m), /^computeResources\[0\]\.entrypoint must be the path of the server script relative to \.amplify-hosting\/compute\/default\//],
    ['absolute entrypoint', (m) => (m.computeResources[0].entrypoint = '/srv/server.js', m), /^computeResources\[0\]\.entrypoint must be/],
    ['no framework', (m) => ({ ...m, framework: undefined }), /^framework is required/],
    ['framework version not semver', (m) => (m.framework.version = '14', m), /^framework\.version must be a semantic version/],
    ['bad image formats', (m) => ({ ...m, imageSettings: { formats: ['image/tiff'] } }), /^imageSettings\.formats must be an array of/],
    ['blanket image host', (m) => ({ ...m, imageSettings: { remotePatterns: [{ hostname: '**' }] } }), /^imageSettings\.remotePatterns\[0\]\.hostname is "\*\*"/],
  ];
  for (const [name, mutate, expected] of table) {
    it(`rejects: ${name}`, () => {
      const issues = issuesOf(mutate(base()));
      assert.ok(issues.some((i) => expected.test(i)), `expected ${expected} among:\n${issues.join('\n')}`);
    });
  }

  it('lists every problem at once, one a line in the message', () => {
    const m = base();
    m.version = 3;
    m.routes[2].target.src = 'api';
    m.framework = { name: 'next' };
    try {
      parseDeployManifest(m);
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof DeployManifestError);
      assert.equal(error.issues.length, 3, error.message); // version, src, framework.version
      assert.match(error.message, /^deploy-manifest\.json does not follow the Amplify Hosting deployment specification:\n- version must be 1/);
      assert.match(error.message, /\n- routes\[2\]\.target\.src names compute resource 'api' which computeResources does not define/);
    }
  });

  it('normalises a valid manifest, with warnings for what only Gantry accepts', () => {
    const m = base();
    m.computeResources[0].runtime = 'nodejs18.x';
    m.computeResources[0].entrypoint = './server.js';
    m.routes.splice(2, 0, { path: '/api/*', target: compute('api') });
    m.computeResources.push({ name: 'api', runtime: 'nodejs22.x', entrypoint: 'dist/index.mjs' });
    m.imageSettings = { sizes: [640], formats: ['image/webp'], minumumCacheTTL: 30, dangerouslyAllowSVG: false, domains: [] };
    m.buildId = 'x';
    const { manifest, warnings } = parseDeployManifest(JSON.stringify(m));
    assert.deepEqual(manifest.computeResources, [
      { name: 'default', runtime: 'nodejs18.x', nodeMajor: 18, entrypoint: 'server.js' },
      { name: 'api', runtime: 'nodejs22.x', nodeMajor: 22, entrypoint: 'dist/index.mjs' },
    ]);
    assert.deepEqual(manifest.routes.map((r) => r.path), ['/_next/static/*', '/*.*', '/api/*', '/*']);
    assert.deepEqual(manifest.routes[1], { path: '/*.*', target: { kind: 'Static' }, fallback: { kind: 'Compute', src: 'default' } });
    assert.equal(manifest.routes[0].target.cacheControl, 'public, max-age=31536000, immutable');
    assert.deepEqual(manifest.imageSettings, { sizes: [640], domains: [], remotePatterns: [], formats: ['image/webp'], minimumCacheTTL: 30, dangerouslyAllowSVG: false });
    assert.deepEqual(manifest.framework, { name: 'next', version: '14.2.3' });
    const w = warnings.map((i) => `${i.path} ${i.message}`);
    assert.ok(w.some((x) => /^buildId is not part of the deployment specification/.test(x)), w.join('\n'));
    assert.ok(w.some((x) => /^computeResources\[0\]\.runtime is nodejs18\.x, which Amplify Hosting no longer offers/.test(x)), w.join('\n'));
    assert.ok(w.some((x) => /^computeResources\[1\]\.name is 'api': version 1 of the specification accepts only 'default'/.test(x)), w.join('\n'));
    assert.ok(w.some((x) => /^imageSettings\.remotePatterns is missing/.test(x)), w.join('\n'));
  });

  it('accepts a purely static bundle (no computeResources)', () => {
    const { manifest, warnings } = parseDeployManifest({ version: 1, routes: [{ path: '/*', target: { kind: 'Static' } }], framework: { name: 'astro', version: '4.0.0-beta.1' } });
    assert.deepEqual(manifest.computeResources, []);
    assert.deepEqual(warnings, []);
  });
});

describe('loadDeployManifest', () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(() => Promise.all(cleanup.map((f) => f())));
  const bundle = async (files: Record<string, string>, manifest: unknown = base()) => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-manifest-'));
    const hosting = join(dir, '.amplify-hosting');
    await mkdir(hosting);
    await writeFile(join(hosting, 'deploy-manifest.json'), JSON.stringify(manifest));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(hosting, path, '..'), { recursive: true });
      await writeFile(join(hosting, path), content);
    }
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return { dir, hosting };
  };

  it('finds and checks a complete bundle', async () => {
    const b = await bundle({ 'static/favicon.ico': 'x', 'compute/default/server.js': 'require("http")' });
    assert.equal(await findDeploymentBundle(b.dir), b.hosting);
    assert.equal(await findDeploymentBundle(b.hosting), b.hosting);
    assert.equal(await findDeploymentBundle(join(b.hosting, 'static')), undefined);
    const loaded = await loadDeployManifest(b.hosting);
    assert.equal(loaded.staticDir, join(b.hosting, 'static'));
    assert.deepEqual(loaded.computeDirs, { default: join(b.hosting, 'compute', 'default') });
  });

  it('names missing directories and entry points', async () => {
    const b = await bundle({ 'compute/default/index.js': '' });
    await assert.rejects(loadDeployManifest(b.hosting), (error: DeployManifestError) => {
      const lines = error.issues.map((i) => `${i.path} ${i.message}`);
      assert.ok(lines.some((l) => /^routes has a Static route, which needs the directory \.amplify-hosting\/static/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^computeResources\[0\]\.entrypoint names \.amplify-hosting\/compute\/default\/server\.js, which does not exist/.test(l)), lines.join('\n'));
      return true;
    });
  });

  it('rejects an entry point that is a symlink', async () => {
    const b = await bundle({ 'static/a.txt': 'a', 'compute/default/real.js': '' });
    await symlink('/etc/passwd', join(b.hosting, 'compute/default/server.js'));
    await assert.rejects(loadDeployManifest(b.hosting), /entrypoint names \.amplify-hosting\/compute\/default\/server\.js, which is not a regular file/);
  });
});

describe('positions of manifest issues', () => {
  it('gives the line and column of a JSON syntax error', () => {
    const text = '{\n  "version": 1,\n  "routes": [\n    { "path": "/*", }\n  ]\n}\n';
    assert.throws(() => parseDeployManifest(text), (error: DeployManifestError) => {
      assert.equal(error.issues[0]!.line, 4, error.message);
      assert.match(error.message, /\n- deploy-manifest\.json:4:\d+: deploy-manifest\.json is not valid JSON/);
      return true;
    });
  });

  it("points each problem at its value in the text, and warnings too", () => {
    const m = base();
    m.routes[2].target.src = 'api';
    m.buildId = 'x';
    const text = JSON.stringify(m, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"api"')) + 1;
    assert.throws(() => parseDeployManifest(text), (error: DeployManifestError) => {
      const issue = error.issues.find((i) => i.path === 'routes[2].target.src');
      assert.equal(issue?.line, line, error.message);
      assert.match(error.message, new RegExp(`\\n- deploy-manifest\\.json:${line}:\\d+: routes\\[2\\]\\.target\\.src names compute resource 'api'`));
      return true;
    });
    m.routes[2].target.src = 'default';
    const { warnings } = parseDeployManifest(JSON.stringify(m, null, 2));
    const buildId = warnings.find((w) => w.path === 'buildId');
    assert.equal(buildId?.line, JSON.stringify(m, null, 2).split('\n').findIndex((l) => l.includes('"buildId"')) + 1);
    assert.equal(formatManifestIssue(buildId!), `deploy-manifest.json:${buildId!.line}:3: buildId is not part of the deployment specification and is ignored.`);
  });
});
