/**
 * Whether a host is this machine: a server there (a bridge such as Proton's or DavMail)
 * stays reachable without any network, so the watcher keeps trying it while offline.
 */
import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * True for 127.0.0.0/8, ::1 in any spelling (BlockList also matches the IPv4-mapped
 * ::ffff:127.x), and "localhost" and the names under it (RFC 6761 §6.3), in any case and with
 * or without the final dot.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  return family !== 0 && loopback.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The stricter test for sending a token in clear text: 127.0.0.0/8, ::1 or "localhost"
 * itself, not the names under .localhost (a system resolver may forward those to DNS).
 */
export function isLoopbackAddressOrLocalhost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost') return true;
  const family = isIP(name);
  return family !== 0 && loopback.check(name, family === 4 ? 'ipv4' : 'ipv6');
}
