import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  /** PEM of the local CA certificate: what a browser or client must trust. */
  caCert: string;
  caCertFile: string;
  key: string;
  cert: string;
}

/** Names the server certificate covers: the loopback host in every spelling clients use. */
const HOSTNAMES = ['localhost', '*.localhost', '127.0.0.1', '::1'];

/**
 * A local certificate authority under `<dataDir>/tls/`, made on first start (in the spirit of mkcert):
 * the CA signs a certificate for the loopback names so `https://` and `wss://` work once the CA is trusted.
 */
export function loadOrCreateLocalCa(dataDir: string): TlsMaterial {
  const dir = join(dataDir, 'tls');
  const files = { caKey: join(dir, 'ca-key.pem'), caCert: join(dir, 'ca.pem'), key: join(dir, 'server-key.pem'), cert: join(dir, 'server.pem') };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) {
    const ca = createCertificate({ commonName: 'Gantry local CA', isCa: true, days: 3650 });
    writeFileSync(files.caKey, ca.key, { mode: 0o600 });
    writeFileSync(files.caCert, ca.cert);
  }
  const caCert = readFileSync(files.caCert, 'utf8');
  if (!existsSync(files.cert) || !existsSync(files.key) || expiresWithinDays(readFileSync(files.cert, 'utf8'), 30)) {
    const server = createCertificate({ commonName: 'localhost', days: 825, altNames: HOSTNAMES, issuer: { cert: caCert, key: readFileSync(files.caKey, 'utf8') } });
    writeFileSync(files.key, server.key, { mode: 0o600 });
    writeFileSync(files.cert, server.cert);
  }
  return { caCert, caCertFile: files.caCert, key: readFileSync(files.key, 'utf8'), cert: readFileSync(files.cert, 'utf8') };
}

function expiresWithinDays(pem: string, days: number): boolean {
  return new Date(new X509Certificate(pem).validTo).getTime() - Date.now() < days * 86_400_000;
}

interface CertificateArgs {
  commonName: string;
  days: number;
  isCa?: boolean;
  altNames?: string[];
  issuer?: { cert: string; key: string };
}

function createCertificate(args: CertificateArgs): { key: string; cert: string } {
  // Key generation is native (fast); forge only assembles and signs the certificate.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + args.days * 86_400_000);
  const subject = [{ name: 'commonName', value: args.commonName }, { name: 'organizationName', value: 'Gantry local development' }];
  cert.setSubject(subject);
  const issuerCert = args.issuer ? forge.pki.certificateFromPem(args.issuer.cert) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: any[] = [
    { name: 'basicConstraints', cA: !!args.isCa, critical: true },
    args.isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!args.isCa) extensions.push({ name: 'extKeyUsage', serverAuth: true });
  if (args.altNames)
    extensions.push({ name: 'subjectAltName', altNames: args.altNames.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) });
  cert.setExtensions(extensions);
  const signingKey = forge.pki.privateKeyFromPem(args.issuer?.key ?? keyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}
