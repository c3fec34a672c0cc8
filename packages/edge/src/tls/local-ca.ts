import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  /** PEM of the local CA certificate: what a browser or client must trust. */
  caCert: string;
  caCertFile: string;
  key: string;
  cert: string;
  /**
   * Whether the CA carries X.509 name constraints limiting it to the loopback names ({@link CA_PERMITTED}).
   * `false` for a CA made by an older Gantry: it is kept (regenerating would break every trust store that
   * already trusts it), so the caller can tell the user to delete `<dataDir>/tls/` and trust the new CA.
   */
  caNameConstrained: boolean;
}

/** Names the server certificate covers: the loopback host in every spelling clients use. */
const HOSTNAMES = ['localhost', '*.localhost', '127.0.0.1', '::1', /* S3 virtual-hosted buckets */ '*.s3.localhost'];

/**
 * What the CA may vouch for (its X.509 name constraints, RFC 5280 4.2.1.10): `localhost` and every name under
 * it, and the loopback addresses. Trusted in a browser, it still cannot impersonate any other host.
 */
export const CA_PERMITTED = { dns: ['localhost', '.localhost'], ip: ['127.0.0.1/32', '::1/128'] } as const;

/**
 * A local certificate authority under `<dataDir>/tls/`, made on first start (in the spirit of mkcert):
 * the CA signs a certificate for the loopback names so `https://` and `wss://` work once the CA is trusted.
 * The directory is 0700 and the private keys 0600 (tightened at every start when looser).
 */
export function loadOrCreateLocalCa(dataDir: string): TlsMaterial {
  const dir = join(dataDir, 'tls');
  const files = { caKey: join(dir, 'ca-key.pem'), caCert: join(dir, 'ca.pem'), key: join(dir, 'server-key.pem'), cert: join(dir, 'server.pem') };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrictMode(dir, 0o700);
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) {
    const ca = createCertificate({ commonName: 'Gantry local CA', isCa: true, days: 3650 });
    writeSecret(files.caKey, ca.key);
    writeFileSync(files.caCert, ca.cert);
  }
  restrictMode(files.caKey, 0o600);
  const caCert = readFileSync(files.caCert, 'utf8');
  const ca = new X509Certificate(caCert);
  if (
    !existsSync(files.cert) ||
    !existsSync(files.key) ||
    expiresWithinDays(readFileSync(files.cert, 'utf8'), 30) ||
    !new X509Certificate(readFileSync(files.cert, 'utf8')).checkIssued(ca) ||
    // Certificates made before the S3 bucket names were covered are made again.
    !new X509Certificate(readFileSync(files.cert, 'utf8')).subjectAltName?.includes('*.s3.localhost')
  ) {
    const server = createCertificate({ commonName: 'localhost', days: 825, altNames: HOSTNAMES, issuer: { cert: caCert, key: readFileSync(files.caKey, 'utf8') } });
    writeSecret(files.key, server.key);
    writeFileSync(files.cert, server.cert);
  }
  restrictMode(files.key, 0o600);
  return {
    caCert,
    caCertFile: files.caCert,
    key: readFileSync(files.key, 'utf8'),
    cert: readFileSync(files.cert, 'utf8'),
    caNameConstrained: hasNameConstraints(caCert),
  };
}

/** Writes a private key 0600, also when the file already exists (writing keeps an existing file's mode). */
function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  restrictMode(file, 0o600);
}

/** Removes permissions beyond `mode` (POSIX only). */
function restrictMode(path: string, mode: number): void {
  if (process.platform === 'win32') return;
  if ((statSync(path).mode & 0o777 & ~mode) !== 0) chmodSync(path, mode);
}

function hasNameConstraints(pem: string): boolean {
  return forge.pki.certificateFromPem(pem).getExtension('nameConstraints') != null;
}

const NAME_CONSTRAINTS_OID = '2.5.29.30';

/** DER of NameConstraints with only permittedSubtrees, from {@link CA_PERMITTED}. */
function nameConstraintsValue(): forge.asn1.Asn1 {
  const { asn1 } = forge;
  const subtree = (name: forge.asn1.Asn1) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [name]);
  const dns = CA_PERMITTED.dns.map((name) => subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, name)));
  const ips = CA_PERMITTED.ip.map((cidr) => {
    const [address, bits] = cidr.split('/') as [string, string];
    const bytes = forge.util.hexToBytes(ipHex(address));
    const mask = maskBytes(bytes.length, Number(bits));
    return subtree(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, bytes + mask));
  });
  const permitted = asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [...dns, ...ips]);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [permitted]);
}

function ipHex(address: string): string {
  if (!address.includes(':')) return address.split('.').map((part) => Number(part).toString(16).padStart(2, '0')).join('');
  const [head = '', tail = ''] = address.split('::') as [string, string?];
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const all = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return all.map((group) => group.padStart(4, '0')).join('');
}

function maskBytes(length: number, bits: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(bits >= (i + 1) * 8 ? 0xff : bits <= i * 8 ? 0 : (0xff << (8 - (bits - i * 8))) & 0xff);
  return out;
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
  // RFC 5280 says a CA's name constraints MUST be critical.
  if (args.isCa) extensions.push({ id: NAME_CONSTRAINTS_OID, name: 'nameConstraints', critical: true, value: nameConstraintsValue() });
  if (!args.isCa) extensions.push({ name: 'extKeyUsage', serverAuth: true });
  if (args.altNames)
    extensions.push({ name: 'subjectAltName', altNames: args.altNames.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) });
  cert.setExtensions(extensions);
  const signingKey = forge.pki.privateKeyFromPem(args.issuer?.key ?? keyPem);
  cert.sign(signingKey, forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}
