/**
 * The first three steps of `tidings check`, one at a time so a failure names its step: the
 * DNS lookup, the TCP connect, and the TLS handshake (implicit, or after STARTTLS) with the
 * certificate judged by the account's rules: the system's authorities plus its caFile, or
 * its pinned fingerprint alone, as `tls-options.ts` does for the login connection. The
 * handshake never refuses the certificate itself (`rejectUnauthorized: false`), so a
 * refused one can still be shown with its fingerprint. Each step runs under its own deadline.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import tls, { rootCertificates, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { TlsMode } from '../../../common/settings-schema.js';
import {
  classifyError,
  sanitizeServerText,
  systemClock,
  TidingsError,
  withDeadline,
} from '../base/index.js';
import { negotiateStartTls, normalizeFingerprint, readCaFile } from '../imap/index.js';

/** What the server's certificate says, and whether the account's rules trust it. */
export interface CertificateReport {
  fingerprint256: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** "TLSv1.3" */
  protocol: string;
  /** Trusted by the authorities (and caFile), or matching the pin. */
  trusted: boolean;
  /** How it was judged: "pinned" or "authorities". */
  trustedBy: 'pinned' | 'authorities';
  /** Why it is not trusted, in words ("self-signed certificate"). */
  problem?: string;
}

/** One account's connection, across the steps; `close()` drops whatever is still open. */
export class ConnectionSteps {
  private readonly sockets: net.Socket[] = [];
  private plain: net.Socket | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  /** The host's addresses. A name under RFC 6761's `.invalid` fails at once, asking no one. */
  async lookup(): Promise<string[]> {
    const host = this.host;
    if (net.isIP(host)) return [host];
    if (/(^|\.)invalid\.?$/i.test(host)) {
      throw new TidingsError('network', `host name not found (DNS): ${host} (a reserved name)`);
    }
    const found = dns.lookup(host, { all: true }).catch((error: unknown) => {
      const reason = classifyError(error).message;
      throw new TidingsError('network', `${reason}: ${host}`, { cause: error });
    });
    const addresses = await this.deadline(found, `DNS lookup of ${host}`, () => {});
    return addresses.map((entry) => entry.address);
  }

  /** Connects to the first of `addresses` that answers; returns it. */
  async connect(addresses: readonly string[]): Promise<string> {
    let first: TidingsError | undefined;
    const attempt = async () => {
      for (const address of addresses) {
        try {
          this.plain = await this.connectTo(address);
          return address;
        } catch (error) {
          const reason = classifyError(error).message;
          first ??= new TidingsError('network', `${reason} (${hostPort(address, this.port)})`, {
            cause: error,
          });
        }
      }
      throw first ?? new TidingsError('network', 'no address to connect to');
    };
    return this.deadline(attempt(), `TCP connect to port ${this.port}`, () => this.close());
  }

  /**
   * The TLS handshake as `mode` says (RFC 3501 §6.2.1 for STARTTLS: greeting, then the
   * command, its tagged OK, then the handshake), and the certificate judged.
   */
  async handshake(
    mode: Exclude<TlsMode, 'none'>,
    trust: { caFile?: string | undefined; certificateFingerprint?: string | undefined },
  ): Promise<CertificateReport> {
    const plain = this.plain;
    if (!plain) throw new TidingsError('network', 'not connected');
    const extra = trust.caFile ? [await readCaFile(trust.caFile)] : [];
    const work = async () => {
      if (mode === 'starttls') await negotiateStartTls(plain);
      const secure = tls.connect({
        socket: plain,
        host: this.host,
        servername: net.isIP(this.host) ? undefined : this.host,
        ca: extra.length > 0 ? [...rootCertificates, ...extra] : undefined,
        // Judged below: a refused certificate must still be read to show its fingerprint.
        rejectUnauthorized: false,
      });
      this.sockets.push(secure);
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', resolve);
        secure.once('error', reject);
      });
      return judge(secure, this.host, trust.certificateFingerprint);
    };
    const what = mode === 'starttls' ? 'STARTTLS and TLS handshake' : 'TLS handshake';
    return this.deadline(work(), what, () => this.close()).catch((error: unknown) => {
      throw classifyError(error);
    });
  }

  /** Drops the sockets, the TLS one first (under a live TLS wrap, see tls-probe.ts). */
  close(): void {
    for (const socket of this.sockets.splice(0).reverse()) socket.destroy();
  }

  private connectTo(address: string): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port: this.port });
      this.sockets.push(socket);
      socket.once('connect', () => {
        socket.off('error', reject);
        // Later errors end the handshake step, which listens itself; none may go unheard.
        socket.on('error', () => {});
        resolve(socket);
      });
      socket.once('error', (error) => {
        socket.destroy();
        reject(error);
      });
    });
  }

  private deadline<T>(work: Promise<T>, what: string, onExpire: () => void): Promise<T> {
    return withDeadline(systemClock, work, this.timeoutMs, what, onExpire);
  }
}

function judge(secure: TLSSocket, host: string, pin: string | undefined): CertificateReport {
  const certificate = secure.getPeerCertificate();
  if (!certificate?.raw) throw new TidingsError('tls', 'the server presented no certificate');
  const base = {
    fingerprint256: certificate.fingerprint256,
    subject: describeName(certificate.subject),
    issuer: describeName(certificate.issuer),
    validFrom: isoDate(certificate.valid_from),
    validTo: isoDate(certificate.valid_to),
    protocol: secure.getProtocol() ?? '',
  };
  if (pin) {
    // A pin replaces the authorities and the host name check, as on the login connection.
    const pinned = normalizeFingerprint(pin);
    const matches = normalizeFingerprint(certificate.fingerprint256) === pinned;
    return matches
      ? { ...base, trusted: true, trustedBy: 'pinned' }
      : {
          ...base,
          trusted: false,
          trustedBy: 'pinned',
          problem: `certificate does not match the pinned SHA-256 ${pinned}`,
        };
  }
  if (secure.authorized) return { ...base, trusted: true, trustedBy: 'authorities' };
  // Node sets authorizationError to OpenSSL's code, or ERR_TLS_CERT_ALTNAME_INVALID when the
  // chain verified but checkServerIdentity refused the name (_tls_wrap.js onConnectSecure).
  const code = String(secure.authorizationError ?? 'unknown');
  return {
    ...base,
    trusted: false,
    trustedBy: 'authorities',
    problem: describeProblem(code, host, certificate),
  };
}

const problems: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issued by an authority not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issued by an authority not trusted here',
  UNABLE_TO_GET_ISSUER_CERT: 'issued by an authority not trusted here',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not valid yet',
};

function describeProblem(code: string, host: string, certificate: PeerCertificate): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const refusal = tls.checkServerIdentity(host, certificate);
    const why = refusal ? `: ${sanitizeServerText(refusal.message)}` : '';
    return `certificate is not for ${host}${why} (${code})`;
  }
  return `${problems[code] ?? 'certificate not trusted'} (${code})`;
}

// "CN=imap.example.com, O=Example" from Node's object of fields; the text is the server's.
function describeName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  const parts = Object.entries(name).map(
    ([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`,
  );
  return sanitizeServerText(parts.join(', '), 200);
}

function isoDate(text: string | undefined): string {
  const date = new Date(text ?? '');
  return Number.isNaN(date.getTime()) ? sanitizeServerText(text ?? '') : date.toISOString();
}

function hostPort(address: string, port: number): string {
  return net.isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`;
}
