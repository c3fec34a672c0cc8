// GetObject of a 1 MiB object through Gantry's S3 API, beside its baseline measured in the same run: a plain
// node:http server streaming the same bytes from a file (what serving them costs with no API at all). Both
// servers run in their own processes, so the load generator here shares neither's CPU.
// - latency, one request at a time: the SDK's GetObjectCommand, and a presigned URL read with fetch (the
//   server's share alone, no client-side signing), against fetch from the baseline;
// - throughput under load (autocannon, a presigned URL replayed) against the baseline under the same load.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { fmt, report, startServerProcess } from './support.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = 200;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const object = randomBytes(1024 * 1024);

const ts = await startServerProcess();
const s3 = new S3Client({ endpoint: `${ts.url}/s3`, forcePathStyle: true, region: 'us-west-2', credentials: ts.admin, maxAttempts: 1 });
await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'one-mib.bin', Body: object }));

const url = new URL(`${ts.url}/s3/bench/one-mib.bin`);
const signer = new SignatureV4({ credentials: ts.admin, region: 'us-west-2', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
const presigned = await signer.presign(
  { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
  { expiresIn: 3600 },
);
const presignedUrl = `${url.origin}${url.pathname}?${new URLSearchParams(presigned.query as Record<string, string>)}`;

const fileDir = mkdtempSync(join(tmpdir(), 'bench-static-'));
writeFileSync(join(fileDir, 'one-mib.bin'), object);
const baseline = spawn(process.execPath, ['-e', `
  const { createReadStream, statSync } = require('node:fs');
  const file = ${JSON.stringify(join(fileDir, 'one-mib.bin'))};
  require('node:http').createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  }).listen(0, '127.0.0.1', function () { console.log('port ' + this.address().port); });
`], { stdio: ['ignore', 'pipe', 'inherit'] });
const baselinePort = await new Promise<number>((done) => baseline.stdout!.on('data', (d) => {
  const match = /port (\d+)/.exec(String(d));
  if (match) done(Number(match[1]));
}));
const baselineUrl = `http://127.0.0.1:${baselinePort}/one-mib.bin`;

async function latency(read: () => Promise<number>): Promise<number> {
  for (let i = 0; i < 20; i++) await read();
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const size = await read();
    times.push(performance.now() - start);
    if (size !== object.length) throw new Error(`read ${size} bytes, expected ${object.length}`);
  }
  return median(times);
}
const fetchBytes = (target: string) => async () => (await (await fetch(target)).arrayBuffer()).byteLength;

const baselineMs = await latency(fetchBytes(baselineUrl));
const presignedMs = await latency(fetchBytes(presignedUrl));
const sdkMs = await latency(async () => (await (await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'one-mib.bin' }))).Body!.transformToByteArray()).byteLength);

async function throughput(target: string) {
  const result = await autocannon({ url: target, connections: 8, duration: DURATION });
  return { rps: result.requests.average, mibps: result.throughput.average / 1024 / 1024, errors: result.non2xx + result.errors };
}
const theirs = await throughput(baselineUrl);
const ours = await throughput(presignedUrl);

report([
  ['GetObject 1 MiB, latency: node:http static file', `${fmt(baselineMs, 2)} ms (median of ${ROUNDS})`],
  ['GetObject 1 MiB, latency: S3 API, presigned URL + fetch', `${fmt(presignedMs, 2)} ms  (${fmt(presignedMs / baselineMs, 2)}× the baseline)`],
  ['GetObject 1 MiB, latency: S3 API, @aws-sdk/client-s3', `${fmt(sdkMs, 2)} ms  (${fmt(sdkMs / baselineMs, 2)}× the baseline, client-side signing included)`],
  ['GetObject 1 MiB, throughput: node:http static file', `${fmt(theirs.rps, 0)} req/s, ${fmt(theirs.mibps, 0)} MiB/s`],
  ['GetObject 1 MiB, throughput: S3 API (presigned)', `${fmt(ours.rps, 0)} req/s, ${fmt(ours.mibps, 0)} MiB/s  (${fmt(ours.rps / theirs.rps, 2)}× the baseline${ours.errors ? `; ${ours.errors} errors` : ''})`],
]);

baseline.kill();
await ts.stop();
