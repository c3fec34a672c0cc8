import { createDiffieHellman, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The server side of Cognito's SRP-6a variant, as the `aws-amplify` client computes it: the 3072-bit group of
 * RFC 3526 with g = 2, SHA-256 over the values' hex encodings (each an unambiguous two's-complement hex, as
 * Java's BigInteger writes it), k = H(N | g), u = H(A | B), x = H(salt | H(poolName | username ":" password)),
 * and the session key is HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key" 0x01) cut to 16 bytes.
 * The client proves it holds the key with HMAC-SHA256(key, poolName | userId | secretBlock | timestamp).
 */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
export const SRP_N = BigInt(`0x${N_HEX}`);
export const SRP_G = 2n;
const N_BYTES = Buffer.from(N_HEX, 'hex');
const INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);

/** A non-negative integer as the client's hex: even length, with a `00` byte when the top bit is set. */
export function paddedHex(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/i.test(hex) ? `00${hex}` : hex;
}

const hashHex = (hex: string): string => createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
const toBig = (hex: string): bigint => BigInt(`0x${hex || '0'}`);
export const SRP_K = toBig(hashHex(paddedHex(SRP_N) + paddedHex(SRP_G)));

/** base^exponent mod N, with OpenSSL's modular exponentiation (a Diffie-Hellman secret over the same group). */
function modPowN(base: bigint, exponent: bigint): bigint {
  const dh = createDiffieHellman(N_BYTES, Buffer.from([2]));
  dh.setPrivateKey(Buffer.from(paddedHex(exponent), 'hex'));
  if (base === SRP_G) return toBig(dh.generateKeys('hex'));
  return toBig(dh.computeSecret(Buffer.from(paddedHex(base), 'hex')).toString('hex'));
}

/** x = H(salt | H(poolName | username ":" password)): the private value the verifier is made from. */
function privateValue(poolName: string, username: string, password: string, saltHex: string): bigint {
  const inner = createHash('sha256').update(`${poolName}${username}:${password}`, 'utf8').digest('hex');
  return toBig(hashHex(paddedHex(toBig(saltHex)) + inner));
}

/** A new salt and verifier v = g^x for a password: what the pool keeps instead of the password. */
export function makeVerifier(poolName: string, username: string, password: string): { saltHex: string; verifierHex: string } {
  const saltHex = paddedHex(toBig(randomBytes(16).toString('hex')));
  const verifier = modPowN(SRP_G, privateValue(poolName, username, password, saltHex));
  return { saltHex, verifierHex: paddedHex(verifier) };
}

/** The server's ephemeral pair for one sign-in: b secret, B = k·v + g^b mod N sent to the client. */
export function serverEphemeral(verifierHex: string): { bHex: string; BHex: string } {
  for (;;) {
    const b = toBig(randomBytes(128).toString('hex'));
    const B = (SRP_K * toBig(verifierHex) + modPowN(SRP_G, b)) % SRP_N;
    if (B !== 0n) return { bHex: b.toString(16), BHex: B.toString(16) };
  }
}

/** Whether the client's A is acceptable: A mod N must not be 0 (else the session key is predictable). */
export function validClientValue(AHex: string): boolean {
  if (!/^[0-9a-fA-F]{1,1600}$/.test(AHex)) return false;
  return toBig(AHex) % SRP_N !== 0n;
}

/** The 16-byte session key both sides derive: S = (A·v^u)^b mod N, then HKDF. */
export function sessionKey(args: { AHex: string; BHex: string; bHex: string; verifierHex: string }): Buffer {
  const A = toBig(args.AHex);
  const u = toBig(hashHex(paddedHex(A) + paddedHex(toBig(args.BHex))));
  if (u === 0n) throw new Error('u is zero');
  const base = (A * modPowN(toBig(args.verifierHex), u)) % SRP_N;
  const S = modPowN(base, toBig(args.bHex));
  const prk = createHmac('sha256', Buffer.from(paddedHex(u), 'hex')).update(Buffer.from(paddedHex(S), 'hex')).digest();
  return createHmac('sha256', prk).update(INFO).digest().subarray(0, 16);
}

/** PASSWORD_CLAIM_SIGNATURE as the client forms it (base64). */
export function claimSignature(key: Buffer, poolName: string, userId: string, secretBlock: string, timestamp: string): string {
  return createHmac('sha256', key)
    .update(Buffer.from(poolName, 'utf8')).update(Buffer.from(userId, 'utf8'))
    .update(Buffer.from(secretBlock, 'base64')).update(Buffer.from(timestamp, 'utf8'))
    .digest('base64');
}

/** Constant-time comparison of a claimed signature with the expected one. */
export function signatureMatches(expected: string, claimed: unknown): boolean {
  if (typeof claimed !== 'string') return false;
  const a = Buffer.from(expected, 'base64');
  const b = Buffer.from(claimed, 'base64');
  return a.length === b.length && timingSafeEqual(a, b);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/**
 * The TIMESTAMP the client signs, `ddd MMM D HH:mm:ss UTC YYYY` (e.g. `Mon Dec 7 13:05:09 UTC 2026`), as epoch
 * milliseconds; undefined when it is not in that form.
 */
export function parseClaimTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) UTC (\d{4})$/.exec(value);
  const month = m ? MONTHS.indexOf(m[2]!) : -1;
  if (!m || month < 0) return undefined;
  return Date.UTC(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The client's side, for tests and tools that sign in without aws-amplify: A, then the claim for B. */
export function clientSession(poolName: string) {
  const a = toBig(randomBytes(128).toString('hex'));
  const A = modPowN(SRP_G, a);
  return {
    AHex: A.toString(16),
    respond(args: { username: string; password: string; saltHex: string; BHex: string; secretBlock: string; timestamp: string }): string {
      const B = toBig(args.BHex);
      const u = toBig(hashHex(paddedHex(A) + paddedHex(B)));
      const x = privateValue(poolName, args.username, args.password, args.saltHex);
      const gx = modPowN(SRP_G, x);
      let base = (B - ((SRP_K * gx) % SRP_N)) % SRP_N;
      if (base < 0n) base += SRP_N;
      const S = modPowN(base, a + u * x);
      const prk = createHmac('sha256', Buffer.from(paddedHex(u), 'hex')).update(Buffer.from(paddedHex(S), 'hex')).digest();
      const key = createHmac('sha256', prk).update(INFO).digest().subarray(0, 16);
      return claimSignature(key, poolName, args.username, args.secretBlock, args.timestamp);
    },
  };
}
