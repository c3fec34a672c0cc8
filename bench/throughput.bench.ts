// Request throughput of the server for STS GetCallerIdentity, measured from a second process (this one) with
// autocannon. Baseline, side by side: a bare node:http server in its own process answering the same XML
// without authentication — the ceiling of Node's HTTP stack on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { fmt, report } from './support.ts';

const root = resolve(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

function waitFor(child: ChildProcess, text: string): Promise<void> {
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(text)) done();
    });
    child.on('exit', (code) => fail(new Error(`exited ${code}: ${out}`)));
  });
}

async function load(url: string, headers: Record<string, string>) {
  const result = await autocannon({ url, method: 'POST', headers, body: BODY, connections: 16, duration: DURATION });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

const baselineServer = spawn(process.execPath, ['-e', `
  const xml = '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>AIDAAAAAAAAAAAAAAAAA</UserId><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/gantry-admin</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
  require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'text/xml' }); res.end(xml); }); })
    .listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });
`], { stdio: ['ignore', 'pipe', 'inherit'] });
const baselinePort = await new Promise<number>((done) => baselineServer.stdout!.on('data', (d) => done(Number(/port (\d+)/.exec(String(d))![1]))));

const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
const gantry = spawn(process.execPath, [join(root, 'packages/gantry/bin/gantry.mjs'), 'server', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let gantryUrl = '';
gantry.stdout!.on('data', (d) => (gantryUrl ||= /listening on (\S+)/.exec(String(d))?.[1] ?? ''));
await waitFor(gantry, 'listening on');

try {
  const credentials = readFileSync(join(dataDir, 'credentials'), 'utf8');
  const url = new URL(gantryUrl);
  const signer = new SignatureV4({
    credentials: { accessKeyId: /aws_access_key_id = (\S+)/.exec(credentials)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(credentials)![1]! },
    region: 'us-west-2', service: 'sts', sha256: Hash.bind(null, 'sha256'),
  });
  // One signature stays valid for five minutes, so the same signed request is replayed for the whole run.
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: {},
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: BODY,
  });
  const headers = signed.headers as Record<string, string>;
  const base = await load(`http://127.0.0.1:${baselinePort}/`, headers);
  const ours = await load(`${gantryUrl}/`, headers);
  if (ours.errors) throw new Error(`${ours.errors} failed requests against Gantry`);
  report([
    ['baseline: bare node:http, same XML', `${fmt(base.rps, 0)} req/s  p99 ${base.p99} ms`],
    ['Gantry GetCallerIdentity (SigV4 + IAM)', `${fmt(ours.rps, 0)} req/s  p99 ${ours.p99} ms  (${fmt(ours.rps / base.rps, 2)}× baseline)`],
  ]);
} finally {
  gantry.kill('SIGTERM');
  baselineServer.kill();
}
