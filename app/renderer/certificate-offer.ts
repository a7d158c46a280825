/**
 * "Trust this certificate": after a test refused for its certificate, the certificate main
 * read (its SHA-256 fingerprint first) and what trusting it means. Nothing is pinned unless
 * the user presses the button, and only for the server the test was run against: changing
 * the server, port or security hides the offer.
 */
import type { CertificateView } from '../common/ipc-contract.js';
import { byId } from './dom.js';

// Owned here: the fingerprint on offer, or null while none is shown.
let offered: string | null = null;

/** Wires the button once; `onTrust` pins `fingerprint` (and tests again). */
export function setUpCertificateOffer(onTrust: (fingerprint: string) => void): void {
  byId('trust-certificate').addEventListener('click', () => {
    const fingerprint = offered;
    if (!fingerprint) return;
    hideCertificateOffer();
    onTrust(fingerprint);
  });
}

/** Shows `certificate` and, where pinning it is sound, the button to trust it. */
export function showCertificateOffer(certificate: CertificateView): void {
  offered = certificate.pinnable ? certificate.fingerprint256 : null;
  byId('certificate-offer-title').textContent = certificate.replacesPin
    ? `This is not the certificate you trusted: ${certificate.problem}`
    : `The server's certificate is not trusted: ${certificate.problem}`;
  byId('certificate-fingerprint').textContent = certificate.fingerprint256;
  byId('certificate-subject').textContent = certificate.subject || '(no name)';
  byId('certificate-issuer').textContent = certificate.issuer || '(no name)';
  byId('certificate-validity').textContent =
    `${certificate.validFrom.slice(0, 10)} to ${certificate.validTo.slice(0, 10)}`;
  byId('certificate-advice').textContent = advice(certificate);
  byId('trust-certificate').hidden = !certificate.pinnable;
  const offer = byId('certificate-offer');
  offer.hidden = false;
  // The form scrolls inside its section: the offer appears below the button that led to it.
  offer.scrollIntoView({ block: 'nearest' });
}

/** Takes the offer away (a new test, another server, the form closed). */
export function hideCertificateOffer(): void {
  offered = null;
  byId('certificate-offer').hidden = true;
}

const pinMeaning =
  'Tidings will then accept exactly this certificate from this server, and no other.';

function advice(certificate: CertificateView): string {
  if (!certificate.pinnable) {
    return `${certificate.provider ?? 'This provider'}'s servers have certificates from public authorities: one they do not vouch for means something on the network is in the way (a proxy, a hotel login page, an attacker). Do not connect from this network; Tidings offers no way to trust it.`;
  }
  if (certificate.replacesPin) {
    return `If the server's certificate was renewed, trusting the new one replaces the old. If you expected no change, do not trust it: someone may be in the way. ${pinMeaning}`;
  }
  if (certificate.provider) {
    return `${certificate.provider} makes its own certificate on this computer, so this is expected the first time. Trust it if ${certificate.provider} is running here. ${pinMeaning}`;
  }
  return `Trust it only if you know this server uses a certificate of its own (a home or company server), and the fingerprint matches the one its administrator gives you. ${pinMeaning}`;
}
