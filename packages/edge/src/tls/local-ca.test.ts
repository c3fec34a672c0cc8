import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { loadOrCreateLocalCa } from './local-ca.ts';

const scratch = mkdtempSync(join(tmpdir(), 'gantry-local-ca-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('loadOrCreateLocalCa', () => {
  const dataDir = join(scratch, 'data');
  const tls = loadOrCreateLocalCa(dataDir);

  it('keeps the keys 0600 in a 0700 directory, and tightens them at start', { skip: process.platform === 'win32' }, () => {
    const dir = join(dataDir, 'tls');
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'ca-key.pem')), 0o600);
    assert.equal(mode(join(dir, 'server-key.pem')), 0o600);
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'ca-key.pem'), 0o644);
    chmodSync(join(dir, 'server-key.pem'), 0o640);
    const again = loadOrCreateLocalCa(dataDir);
    assert.equal(again.caCert, tls.caCert, 'the CA is kept');
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'ca-key.pem')), 0o600);
    assert.equal(mode(join(dir, 'server-key.pem')), 0o600);
  });

  it('name-constrains the CA to localhost and the loopback addresses (critical)', () => {
    assert.equal(tls.caNameConstrained, true);
    const ext = forge.pki.certificateFromPem(tls.caCert).getExtension('nameConstraints') as
      | { critical: boolean; permittedSubtrees: Array<{ type: number; value?: string; ip?: string }>; excludedSubtrees: unknown[] }
      | null;
    assert.ok(ext);
    assert.equal(ext.critical, true);
    assert.deepEqual(ext.excludedSubtrees, []);
    assert.deepEqual(
      ext.permittedSubtrees.map((tree) => [tree.type, tree.value === undefined ? undefined : tree.value]).filter(([type]) => type === 2),
      [[2, 'localhost'], [2, '.localhost']],
    );
    assert.equal(ext.permittedSubtrees.filter((tree) => tree.type === 7).length, 2);
    // The server certificate is issued by it and within the constraints.
    const server = new X509Certificate(tls.cert);
    const ca = new X509Certificate(tls.caCert);
    assert.ok(server.checkIssued(ca));
    assert.ok(server.verify(ca.publicKey));
  });

  it('openssl refuses a certificate for another host signed by the CA (name constraints enforced)', { skip: spawnSync('openssl', ['version']).status !== 0 }, () => {
    const caKey = forge.pki.privateKeyFromPem(require_('ca-key.pem'));
    const caCert = forge.pki.certificateFromPem(tls.caCert);
    const issue = (dns: string) => {
      const keys = forge.pki.rsa.generateKeyPair({ bits: 1024, e: 0x10001 });
      const cert = forge.pki.createCertificate();
      cert.publicKey = keys.publicKey;
      cert.serialNumber = '02';
      cert.validity.notBefore = new Date(Date.now() - 60_000);
      cert.validity.notAfter = new Date(Date.now() + 86_400_000);
      cert.setSubject([{ name: 'commonName', value: dns }]);
      cert.setIssuer(caCert.subject.attributes);
      cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: dns }] }]);
      cert.sign(caKey, forge.md.sha256.create());
      return cert;
    };
    const verify = (dns: string) => {
      const leaf = join(scratch, `${dns}.pem`);
      writeFileSync(leaf, forge.pki.certificateToPem(issue(dns)));
      return spawnSync('openssl', ['verify', '-CAfile', tls.caCertFile, leaf], { encoding: 'utf8' });
    };
    const good = verify('app.localhost');
    assert.equal(good.status, 0, good.stdout + good.stderr);
    const evil = verify('evil.example');
    assert.notEqual(evil.status, 0);
    assert.match(evil.stdout + evil.stderr, /permitted subtree violation|name constraints/i);
  });

  function require_(name: string): string {
    return readFileSync(join(dataDir, 'tls', name), 'utf8');
  }
});
