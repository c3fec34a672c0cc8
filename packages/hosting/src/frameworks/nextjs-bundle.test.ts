import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { detectFramework } from './detect-framework.ts';
import { bundleNextjs, IMMUTABLE, type NextjsBundle } from './nextjs-bundle.ts';
import { canMountReadOnly, prepareNextFixture, startCompute, type PreparedFixture, type RunningCompute } from './test-support.ts';

const NEXT_VERSION = '14.2.35';
const nodeRuntime = `nodejs${process.versions.node.split('.')[0]}.x`;
const numberAfter = (label: string, html: string): number => {
  const match = new RegExp(`${label}:(?:<!-- -->)?(\\d+)`).exec(html);
  assert.ok(match, `no ${label} in ${html.slice(0, 400)}`);
  return Number(match[1]);
};
const maybeNumberAfter = (label: string, html: string): number | undefined => {
  const match = new RegExp(`${label}:(?:<!-- -->)?(\\d+)`).exec(html);
  return match ? Number(match[1]) : undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Width of a lossy WebP ('VP8 ' chunk), or undefined for other layouts. */
function webpWidth(image: Buffer): number | undefined {
  if (image.toString('ascii', 12, 16) !== 'VP8 ') return undefined;
  return image.readUInt16LE(26) & 0x3fff;
}

let fixture: PreparedFixture;
let scratch: string;

before(async () => {
  const started = Date.now();
  fixture = await prepareNextFixture('next-pages-app', (line) => console.log(`# ${line}`));
  console.log(
    `# fixture ready in ${Date.now() - started} ms (install ${fixture.installed}, ${fixture.timings.installMs} ms; build ${fixture.built}, ${fixture.timings.buildMs} ms)`,
  );
  scratch = await mkdtemp(join(tmpdir(), 'gantry-nextjs-'));
}, { timeout: 300_000 });

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('a Next.js 14 pages app bundled from standalone output', () => {
  let bundle: NextjsBundle;
  let server: RunningCompute;

  before(async () => {
    const started = Date.now();
    bundle = await bundleNextjs({ appDir: fixture.appDir, distDir: join(fixture.appDir, '.next'), outDir: join(scratch, 'standalone', '.amplify-hosting') });
    const bundled = Date.now() - started;
    server = await startCompute(join(bundle.outDir, 'compute', 'default'), bundle.manifest.computeResources![0]!.entrypoint, { readyPath: '/api/hello' });
    console.log(`# bundled in ${bundled} ms (compute ${(bundle.compute.bytes / 1e6).toFixed(1)} MB), server answered after ${server.startedMs} ms`);
  }, { timeout: 120_000 });

  after(async () => {
    await server?.stop();
  });

  test('detection names the fixture as Amplify does', async () => {
    const detected = await detectFramework({ appDir: fixture.appDir, baseDirectory: '.next' });
    assert.equal(detected.name, 'Next.js - SSR');
    assert.equal(detected.deployment, 'nextjs');
    assert.equal(detected.version, NEXT_VERSION);
    assert.equal(detected.versionSource, 'installed');
    assert.equal(detected.supported, true);
  });

  test('uses the standalone output, without the build-only packages', () => {
    assert.equal(bundle.mode, 'standalone');
    assert.equal(bundle.nextVersion, NEXT_VERSION);
    assert.deepEqual(bundle.warnings, []);
    const compute = join(bundle.outDir, 'compute', 'default');
    assert.ok(existsSync(join(compute, 'server.mjs')));
    assert.ok(!existsSync(join(compute, 'server.js')), "Next's own server.js (bound to 0.0.0.0) is left out");
    assert.ok(!existsSync(join(compute, 'node_modules', 'typescript')));
    assert.deepEqual(readdirSafe(join(compute, 'node_modules', '@next')).filter((n) => n.startsWith('swc-')), []);
    assert.ok(bundle.compute.bytes < 60e6, `compute is ${bundle.compute.bytes} bytes`);
  });

  test('the manifest routes as Amplify Hosting does for Next.js, catch-all last', () => {
    const manifest = JSON.parse(readFileSync(join(bundle.outDir, 'deploy-manifest.json'), 'utf8'));
    assert.deepEqual(manifest, bundle.manifest);
    assert.deepEqual(manifest.routes, [
      { path: '/_next/image*', target: { kind: 'Compute', src: 'default' } },
      { path: '/_next/static/*', target: { kind: 'Static', cacheControl: 'public, max-age=31536000, immutable' } },
      { path: '/dot.png', target: { kind: 'Static', cacheControl: 'public, max-age=0' } },
      { path: '/robot.txt', target: { kind: 'Static', cacheControl: 'public, max-age=0' } },
      { path: '/*', target: { kind: 'Compute', src: 'default' } },
    ]);
    assert.equal(IMMUTABLE, 'public, max-age=31536000, immutable');
    assert.deepEqual(manifest.computeResources, [{ name: 'default', runtime: nodeRuntime, entrypoint: 'server.mjs' }]);
    assert.deepEqual(manifest.framework, { name: 'nextjs', version: NEXT_VERSION });
    assert.equal(manifest.version, 1);
  });

  test('server-side rendering runs on every request', async () => {
    const [first, second] = await Promise.all([fetch(`${server.url}/`), fetch(`${server.url}/`)]);
    assert.equal(first.status, 200);
    const [a, b] = [await first.text(), await second.text()];
    assert.match(a, /Next\.js pages on Gantry/);
    assert.notEqual(/request-id:(?:<!-- -->)?(\w+)/.exec(a)?.[1], /request-id:(?:<!-- -->)?(\w+)/.exec(b)?.[1]);
    assert.ok(Math.abs(numberAfter('rendered-at', a) - Date.now()) < 60_000, 'rendered now, not at build time');
  });

  test('the API route answers JSON, and middleware adds its header', async () => {
    const response = await fetch(`${server.url}/api/hello`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await response.json(), { hello: 'world', method: 'GET' });
    assert.equal(response.headers.get('x-gantry-middleware'), 'ran');
    const page = await fetch(`${server.url}/`);
    await page.arrayBuffer();
    assert.equal(page.headers.get('x-gantry-middleware'), 'ran');
  });

  test("the page's /_next/static files are in static/, served immutable", async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/_next\/static\/[^"]+)"/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 3, `assets in ${html.slice(0, 400)}`);
    for (const asset of assets) assert.ok(existsSync(join(bundle.outDir, 'static', asset)), `${asset} in static/`);
    const route = bundle.manifest.routes.find((r) => r.path === '/_next/static/*');
    assert.deepEqual(route?.target, { kind: 'Static', cacheControl: IMMUTABLE });
  });

  test('files of public/ are static', () => {
    assert.equal(readFileSync(join(bundle.outDir, 'static', 'robot.txt'), 'utf8'), 'User-agent: *\nAllow: /\n');
    assert.ok(bundle.manifest.routes.some((r) => r.path === '/robot.txt' && r.target.kind === 'Static'));
    assert.ok(existsSync(join(bundle.outDir, 'static', 'dot.png')));
  });

  test('the ISR page regenerates once revalidate (1 s) has passed', { timeout: 30_000 }, async () => {
    const first = numberAfter('generated-at', await (await fetch(`${server.url}/isr`)).text());
    await sleep(1_100);
    let latest = first;
    const deadline = Date.now() + 15_000;
    while (latest === first && Date.now() < deadline) {
      latest = numberAfter('generated-at', await (await fetch(`${server.url}/isr`)).text());
      if (latest === first) await sleep(200);
    }
    assert.ok(latest > first, `generated-at stayed ${first}`);
    // The regenerated page is written into the deployment's own compute folder.
    const written = join(bundle.outDir, 'compute', 'default', '.next', 'server', 'pages', 'isr.html');
    // (read until it holds a newer page: Next may be writing it)
    let onDisk = maybeNumberAfter('generated-at', readFileSync(written, 'utf8'));
    for (const stop = Date.now() + 5_000; !(onDisk! > first) && Date.now() < stop; await sleep(100)) {
      onDisk = maybeNumberAfter('generated-at', readFileSync(written, 'utf8'));
    }
    assert.ok(onDisk! > first, `${written} still holds the page generated at ${first}`);
  });

  test('/_next/image resizes an image of public/, and caches it', async () => {
    await assertOptimizedImage(server);
  });

  test('binds where HOSTNAME says and logs no error', () => {
    assert.match(server.output(), /ready on http:\/\/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(server.output(), /⨯|Error:/);
  });
});

describe('a read-only compute folder, as the runtime mounts it', { skip: !canMountReadOnly() && 'bubblewrap cannot run here' }, () => {
  let bundle: NextjsBundle;
  let server: RunningCompute;

  before(async () => {
    bundle = await bundleNextjs({ appDir: fixture.appDir, outDir: join(scratch, 'read-only') });
    server = await startCompute(join(bundle.outDir, 'compute', 'default'), 'server.mjs', { readyPath: '/api/hello', readOnly: true });
  }, { timeout: 120_000 });

  after(async () => {
    await server?.stop();
  });

  test('says where its caches go', () => {
    assert.match(server.output(), /is read-only: caches go to \/tmp\/next-dist-\w+, regenerated ISR pages stay in memory/);
  });

  test('serves SSR, and ISR regenerates in memory', { timeout: 30_000 }, async () => {
    assert.match(await (await fetch(`${server.url}/`)).text(), /rendered-at:/);
    const first = numberAfter('generated-at', await (await fetch(`${server.url}/isr`)).text());
    await sleep(1_100);
    let latest = first;
    for (const stop = Date.now() + 15_000; latest === first && Date.now() < stop; await sleep(200)) {
      latest = numberAfter('generated-at', await (await fetch(`${server.url}/isr`)).text());
    }
    assert.ok(latest > first, `generated-at stayed ${first}`);
  });

  test('optimizes and caches images', async () => {
    await assertOptimizedImage(server);
    assert.ok(!existsSync(join(bundle.outDir, 'compute', 'default', '.next', 'cache')), 'nothing written into the bundle');
    assert.doesNotMatch(server.output(), /Failed to write|EROFS/);
  });
});

describe('a Next.js build without standalone output, bundled with next start semantics', () => {
  let bundle: NextjsBundle;
  let server: RunningCompute;

  before(async () => {
    bundle = await bundleNextjs({ appDir: fixture.appDir, outDir: join(scratch, 'next-start'), mode: 'next-start' });
    server = await startCompute(join(bundle.outDir, 'compute', 'default'), 'server.mjs', { readyPath: '/api/hello' });
    console.log(`# next-start compute ${(bundle.compute.bytes / 1e6).toFixed(1)} MB, server answered after ${server.startedMs} ms`);
  }, { timeout: 120_000 });

  after(async () => {
    await server?.stop();
  });

  test('holds the app folder and its node_modules, not the build caches or SWC', () => {
    const compute = join(bundle.outDir, 'compute', 'default');
    assert.equal(bundle.mode, 'next-start');
    assert.ok(existsSync(join(compute, 'node_modules', 'next', 'package.json')));
    assert.ok(existsSync(join(compute, 'pages', 'index.tsx')));
    assert.ok(!existsSync(join(compute, '.next', 'cache', 'webpack')));
    assert.ok(!existsSync(join(compute, '.next', 'standalone')));
    assert.deepEqual(readdirSafe(join(compute, 'node_modules', '@next')).filter((n) => n.startsWith('swc-')), []);
    assert.deepEqual(bundle.manifest.routes.at(-1), { path: '/*', target: { kind: 'Compute', src: 'default' } });
  });

  test('serves SSR, the API route with middleware, and images', async () => {
    const page = await fetch(`${server.url}/`);
    assert.match(await page.text(), /rendered-at:/);
    assert.equal(page.headers.get('x-gantry-middleware'), 'ran');
    assert.deepEqual(await (await fetch(`${server.url}/api/hello`)).json(), { hello: 'world', method: 'GET' });
    const image = await fetch(`${server.url}/_next/image?url=%2Fdot.png&w=64&q=75`, { headers: { accept: 'image/webp' } });
    assert.equal(image.headers.get('content-type'), 'image/webp');
    await image.arrayBuffer();
  });
});

/** A minimal `.next` with standalone output, enough for the bundler to read. */
async function fakeBuild(config: Record<string, unknown> = {}): Promise<{ root: string; app: string }> {
  const root = await mkdtemp(join(scratch, 'fake-'));
  const app = join(root, 'app');
  const standalone = join(app, '.next', 'standalone');
  await mkdir(join(standalone, '.next'), { recursive: true });
  await mkdir(join(standalone, 'node_modules', 'next'), { recursive: true });
  await writeFile(join(app, 'package.json'), '{"dependencies":{"next":"14.2.35"}}');
  const serverFiles = JSON.stringify({
    version: 1,
    config: { distDir: '.next', basePath: '', images: { path: '/_next/image', loader: 'default' }, ...config },
    appDir: app,
    relativeAppDir: '',
  });
  for (const dist of [join(app, '.next'), join(standalone, '.next')]) {
    await writeFile(join(dist, 'BUILD_ID'), 'build-1');
    await writeFile(join(dist, 'required-server-files.json'), serverFiles);
  }
  await writeFile(join(standalone, 'node_modules', 'next', 'package.json'), '{"name":"next","version":"14.2.35"}');
  return { root, app };
}

describe('bundleNextjs refuses what a hostile build could slip in', () => {
  test('a symbolic link out of the checkout', async () => {
    const { root, app } = await fakeBuild();
    await symlink('/etc/passwd', join(app, '.next', 'standalone', 'node_modules', 'passwd'));
    const outDir = join(root, 'out');
    await assert.rejects(bundleNextjs({ appDir: app, outDir, rootDir: root }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ValidationError');
      assert.match(error.message, /node_modules\/passwd is a symbolic link to \/etc\/passwd, outside the build directory/);
      return true;
    });
    assert.ok(!existsSync(outDir), 'nothing is left of a refused bundle');
  });

  test('a hard link', async () => {
    const { root, app } = await fakeBuild();
    await writeFile(join(root, 'secret'), 'not for publishing');
    await link(join(root, 'secret'), join(app, '.next', 'standalone', 'secret-link'));
    await assert.rejects(bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root }), /secret-link is a hard link/);
  });

  test('links inside the tree stay links; links elsewhere in the checkout are copied', async () => {
    const { root, app } = await fakeBuild();
    const modules = join(app, '.next', 'standalone', 'node_modules');
    await mkdir(join(modules, '.pnpm', 'react@18', 'node_modules', 'react'), { recursive: true });
    await writeFile(join(modules, '.pnpm', 'react@18', 'node_modules', 'react', 'index.js'), 'module.exports = 1;');
    await symlink('.pnpm/react@18/node_modules/react', join(modules, 'react'));
    await mkdir(join(root, 'shared'));
    await writeFile(join(root, 'shared', 'util.js'), 'module.exports = 2;');
    await symlink(join(root, 'shared'), join(modules, 'shared'));
    const bundle = await bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root });
    const compute = join(bundle.outDir, 'compute', 'default', 'node_modules');
    assert.equal(readFileSync(join(compute, 'react', 'index.js'), 'utf8'), 'module.exports = 1;');
    assert.equal(readlinkSync(join(compute, 'react')), '.pnpm/react@18/node_modules/react');
    assert.equal(readFileSync(join(compute, 'shared', 'util.js'), 'utf8'), 'module.exports = 2;');
  });

  test('a configuration whose paths leave the bundle', async () => {
    for (const [key, value] of [['basePath', '/../../escaped'], ['distDir', '../../escaped'], ['assetPrefix', '/cdn/../../..']] as const) {
      const { root, app } = await fakeBuild();
      const file = join(app, '.next', 'required-server-files.json');
      const serverFiles = JSON.parse(readFileSync(file, 'utf8'));
      serverFiles.config[key] = value;
      await writeFile(file, JSON.stringify(serverFiles));
      await assert.rejects(bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root }), new RegExp(`gives ${key} as`));
      assert.ok(!existsSync(join(root, 'escaped')) && !existsSync(join(root, 'out')));
    }
  });

  test('an exported (static) build is not bundled', async () => {
    const { root, app } = await fakeBuild();
    await rm(join(app, '.next', 'required-server-files.json'));
    await assert.rejects(bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root }), /Can't find required-server-files\.json.*baseDirectory to out/s);
  });

  test('stale standalone output falls back to next start semantics, or is refused when asked for', async () => {
    const { root, app } = await fakeBuild();
    await writeFile(join(app, '.next', 'standalone', '.next', 'BUILD_ID'), 'build-0');
    await assert.rejects(bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root, mode: 'standalone' }), /not from this build/);
    // Without node_modules/next in the app, next start semantics cannot work either.
    await assert.rejects(bundleNextjs({ appDir: app, outDir: join(root, 'out2'), rootDir: root }), /NEXT_PRIVATE_STANDALONE=true/);
  });
});

/** `/_next/image` answers dot.png as a 64 px WebP, the second time from the optimizer's cache. */
async function assertOptimizedImage(server: RunningCompute): Promise<void> {
  const url = `${server.url}/_next/image?url=%2Fdot.png&w=64&q=75`;
  const response = await fetch(url, { headers: { accept: 'image/webp,image/*' } });
  assert.equal(response.status, 200, server.output());
  assert.equal(response.headers.get('content-type'), 'image/webp');
  const image = Buffer.from(await response.arrayBuffer());
  assert.equal(image.toString('ascii', 0, 4), 'RIFF');
  assert.equal(image.toString('ascii', 8, 12), 'WEBP');
  const width = webpWidth(image);
  if (width !== undefined) assert.equal(width, 64);
  // The optimizer writes its cache after answering.
  let cache: string | null = null;
  for (const stop = Date.now() + 5_000; cache !== 'HIT' && Date.now() < stop; await sleep(100)) {
    const again = await fetch(url, { headers: { accept: 'image/webp,image/*' } });
    await again.arrayBuffer();
    cache = again.headers.get('x-nextjs-cache');
  }
  assert.equal(cache, 'HIT', server.output());
}

describe('routes within what the deployment specification allows', () => {
  test('at most 25 routes; the rest of public/, and names a route cannot spell, served by Next', async () => {
    const { root, app } = await fakeBuild();
    await mkdir(join(app, 'public', 'images'), { recursive: true });
    await writeFile(join(app, 'public', 'images', 'a.png'), 'png');
    for (let i = 0; i < 30; i++) await writeFile(join(app, 'public', `file-${String(i).padStart(2, '0')}.txt`), String(i));
    await writeFile(join(app, 'public', 'my file.txt'), 'spaced');
    await writeFile(join(app, 'public', 'star*.txt'), 'star');
    const bundle = await bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root });
    const { routes } = bundle.manifest;
    assert.equal(routes.length, 25);
    assert.deepEqual(routes.at(-1), { path: '/*', target: { kind: 'Compute', src: 'default' } });
    assert.deepEqual(routes.find((r) => r.path === '/images/*'), { path: '/images/*', target: { kind: 'Static', cacheControl: 'public, max-age=0' }, fallback: { kind: 'Compute', src: 'default' } });
    for (const route of routes) assert.match(route.path, /^\/[A-Za-z0-9_\-.*$/~"'@:+]{0,254}$/);
    const computePublic = join(bundle.outDir, 'compute', 'default', 'public');
    assert.equal(readFileSync(join(computePublic, 'my file.txt'), 'utf8'), 'spaced');
    assert.equal(readFileSync(join(computePublic, 'star*.txt'), 'utf8'), 'star');
    assert.ok(existsSync(join(computePublic, 'file-29.txt')), 'a file beyond the route budget');
    assert.ok(!existsSync(join(computePublic, 'file-00.txt')), 'a routed file that is not an image stays out of compute');
    assert.ok(existsSync(join(computePublic, 'images', 'a.png')), 'images are in compute for the optimizer');
    assert.match(bundle.warnings.join('\n'), /cannot hold, served by the Next\.js server: my file\.txt, star\*\.txt/);
    assert.match(bundle.warnings.join('\n'), /25 routes leave room for; served by the Next\.js server: file-21\.txt, .*\(9 in all\)/);
  });

  test('basePath prefixes every route but the catch-all', async () => {
    const { root, app } = await fakeBuild({ basePath: '/docs', images: { path: '/docs/_next/image', loader: 'default' } });
    await mkdir(join(app, 'public'), { recursive: true });
    await writeFile(join(app, 'public', 'robots.txt'), 'ok');
    const bundle = await bundleNextjs({ appDir: app, outDir: join(root, 'out'), rootDir: root });
    assert.deepEqual(bundle.manifest.routes.map((r) => r.path), ['/docs/_next/image*', '/docs/_next/static/*', '/docs/robots.txt', '/*']);
    assert.equal(readFileSync(join(bundle.outDir, 'static', 'docs', 'robots.txt'), 'utf8'), 'ok');
  });
});

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
