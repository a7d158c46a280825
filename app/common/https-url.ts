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
