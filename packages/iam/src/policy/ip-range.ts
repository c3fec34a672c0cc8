/**
 * IPv4/IPv6 addresses and CIDR ranges for the `IpAddress` / `NotIpAddress` operators. "If you specify an IP
 * address without the associated routing prefix, IAM uses the default prefix value of /32" (/128 for IPv6)
 * (reference_policies_elements_condition_operators, IP address condition operators).
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpRange {
  bytes: Uint8Array;
  prefix: number;
}

/** A CIDR (`203.0.113.0/24`, `2001:DB8:1234:5678::/64`) or a single address; undefined when malformed. */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIpAddress(slash < 0 ? text : text.slice(0, slash), false);
  if (bytes === undefined) return undefined;
  const maxPrefix = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: maxPrefix };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return undefined;
  return { bytes, prefix: Number(prefixText) };
}

/**
 * The 4 or 16 bytes of an address. A request address in IPv4-mapped IPv6 form (`::ffff:192.0.2.1`, as Node
 * reports IPv4 peers on a dual-stack socket) is read as the IPv4 address it carries when `unmapV4` is set.
 */
export function parseIpAddress(text: string, unmapV4 = true): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.'), Number);
  const zone = text.indexOf('%');
  const address = zone < 0 ? text : text.slice(0, zone);
  if (!isIPv6(address)) return undefined;
  const bytes = ipv6Bytes(address);
  return unmapV4 && isV4Mapped(bytes) ? bytes.slice(12) : bytes;
}

export function rangeContains(range: IpRange, address: Uint8Array): boolean {
  if (range.bytes.length !== address.length) return false;
  const whole = range.prefix >> 3;
  for (let i = 0; i < whole; i++) if (range.bytes[i] !== address[i]) return false;
  const rest = range.prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (range.bytes[whole] & mask) === (address[whole] & mask);
}

/** Expands a valid IPv6 text (already checked by node:net) into 16 bytes. */
function ipv6Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const write = (groups: string[], start: number) => {
    let at = start;
    for (const group of groups) {
      if (group.includes('.')) {
        for (const octet of group.split('.')) bytes[at++] = Number(octet);
      } else {
        const value = parseInt(group, 16);
        bytes[at++] = value >> 8;
        bytes[at++] = value & 0xff;
      }
    }
    return at;
  };
  write(headGroups, 0);
  write(tailGroups, 16 - byteLength(tailGroups));
  return bytes;
}

const byteLength = (groups: string[]): number => groups.reduce((sum, g) => sum + (g.includes('.') ? 4 : 2), 0);

function isV4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}
