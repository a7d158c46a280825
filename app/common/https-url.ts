/**
 * The one rule for a clicked notification's address, shared by the window (before it asks),
 * the settings schema (main's validation) and the notifier (before `shell.openExternal`).
 * No zod here: the renderer bundles this file.
 */

/** True for a well-formed `https:` URL; every other scheme (file:, javascript:, smb:…) is refused. */
export function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * True for an `https:` URL, or an `http:` one whose host is this machine itself (127.0.0.0/8,
 * [::1], localhost): an identity provider on loopback, as tests and local bridges run them.
 * Names under .localhost are left out: a system resolver may send them to DNS.
 */
export function isHttpsOrLoopbackUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  } catch {
    return false;
  }
}
