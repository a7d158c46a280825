/**
 * Passwords at rest: encrypted with Electron's `safeStorage` (Keychain, DPAPI, libsecret or
 * KWallet) before electron-store writes them, as base64 ciphertext. On Linux without a
 * keyring, safeStorage falls back to `basic_text`, which is not secure: the user is told.
 */
import { safeStorage } from 'electron';
import { TidingsError } from '../engine/index.js';

/** Encrypts a password for storage. Only after the app is ready. */
export function encryptPassword(password: string): string {
  if (!safeStorage.isEncryptionAvailable()) {
    throw new TidingsError('config', 'this system offers no way to store the password encrypted');
  }
  return safeStorage.encryptString(password).toString('base64');
}

/** Decrypts a stored password. */
export function decryptPassword(cipher: string): string {
  try {
    return safeStorage.decryptString(Buffer.from(cipher, 'base64'));
  } catch (error) {
    throw new TidingsError('config', 'the stored password cannot be decrypted; enter it again', {
      cause: error,
    });
  }
}

/** A warning for the settings window when passwords are not really protected, else null. */
export function secretStorageWarning(platform: NodeJS.Platform = process.platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) {
    return 'Passwords cannot be stored encrypted on this system.';
  }
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return 'No keyring (GNOME Keyring or KWallet) was found: passwords are stored obfuscated, not encrypted.';
  }
  return null;
}
