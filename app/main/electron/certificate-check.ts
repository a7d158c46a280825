/**
 * The certificate behind a failed "Test connection": when the login connection met a
 * certificate the account's rules refuse, connect once more (DNS, TCP, STARTTLS or implicit
 * TLS, no login) and read it without trusting it, so the window can show its SHA-256
 * fingerprint and offer to pin it. Nothing is pinned here: the user decides in the window.
 */
import type { CertificateView } from '../../common/ipc-contract.js';
import { resolvePort, type AccountSettings } from '../../common/settings-schema.js';
import { ConnectionSteps } from '../engine/check/index.js';
import { presets } from '../engine/setup/index.js';

/** The account's server certificate if its rules refuse it; null if trusted or unreadable. */
export async function inspectCertificate(
  account: Pick<AccountSettings, 'host' | 'port' | 'tls' | 'caFile' | 'certificateFingerprint'>,
  timeoutMs: number,
): Promise<CertificateView | null> {
  if (account.tls === 'none') return null;
  const port = resolvePort(account);
  const steps = new ConnectionSteps(account.host, port, timeoutMs);
  try {
    await steps.connect(await steps.lookup());
    const report = await steps.handshake(account.tls, {
      caFile: account.caFile,
      certificateFingerprint: account.certificateFingerprint,
    });
    if (report.trusted) return null;
    const provider = certificateProvider(account.host, port);
    return {
      fingerprint256: report.fingerprint256,
      subject: report.subject,
      issuer: report.issuer,
      validFrom: report.validFrom,
      validTo: report.validTo,
      problem: report.problem ?? 'certificate not trusted',
      replacesPin: Boolean(account.certificateFingerprint),
      // A provider's servers have certificates from public authorities: one they do not vouch
      // for is an interception, never a certificate to pin. Only a preset that makes its own
      // (Proton Mail Bridge, on this computer) is pinned on first use.
      pinnable: provider === undefined || provider.pinOnFirstUse,
      provider: provider?.name,
    };
  } catch {
    // The failure the login connection met already names the problem; nothing to add.
    return null;
  } finally {
    steps.close();
  }
}

/**
 * The preset a server belongs to, and whether its certificate is one to pin on first use: a
 * provider's public host on any port (imap.gmail.com:143 is still Google's), a preset on
 * loopback only on its own port (127.0.0.1:2143 is some other local server, not the Bridge).
 */
export function certificateProvider(
  host: string,
  port: number,
): { name: string; pinOnFirstUse: boolean } | undefined {
  const canonical = host.trim().toLowerCase().replace(/\.$/, '');
  const preset = presets.find(
    (p) => p.host === canonical && (p.port === port || p.certificate !== 'pin-on-first-use'),
  );
  if (!preset) return undefined;
  return { name: preset.name, pinOnFirstUse: preset.certificate === 'pin-on-first-use' };
}
