/**
 * An account's server address, as the settings give it: whether a host is shaped like one,
 * whether it is a name that never resolves, and which port a TLS mode defaults to. Plain
 * functions with no imports: `tidings watch` reads them before it loads anything else
 * (app/main/cli/commands/early-connections.ts), and the settings schema builds on them.
 */

// A DNS name (letters of any script, digits, "-" and "_" between dots, a final dot allowed),
// or an IPv6 address without brackets. IPv4 addresses are DNS-shaped already.
const HOST_NAME =
  /^[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*\.?$/u;
const IPV6 = /^[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$/;

/** Whether `host` is shaped like a host name or an IP address (no spaces, slashes, ports). */
export function isHostName(host: string): boolean {
  return HOST_NAME.test(host) || IPV6.test(host);
}

/** RFC 6761 §6.4: a name under .invalid never resolves, so no DNS server need be asked. */
export function isInvalidName(host: string): boolean {
  return /(^|\.)invalid\.?$/i.test(host);
}

/** How a connection is secured: TLS from the first byte, STARTTLS upgrade, or none at all. */
export const TLS_MODES = ['implicit', 'starttls', 'none'] as const;

/** The port an account connects to: its own, or the standard one for its TLS mode. */
export function resolvePort(account: { port?: number | undefined; tls: string }): number {
  return account.port ?? (account.tls === 'implicit' ? 993 : 143);
}
