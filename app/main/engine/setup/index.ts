/**
 * Turning an address into server settings: presets, Thunderbird autoconfig, RFC 6186 SRV,
 * MX, and a guess confirmed by a probe.
 * Code outside this folder imports only from here.
 * The lookup's module (with its XML parser and public-suffix list) is loaded at the first
 * lookup, not here: the watchers import this face for the presets, and loading it all made
 * every `tidings watch` start slower, email-only accounts or not (bench/RESULTS.md, issue 23).
 */
import type { AutoconfigDeps, ResolvedAccount } from './autoconfig.js';

export type { AutoconfigDeps, ResolvedAccount } from './autoconfig.js';
export { presets } from './presets.js';

/** The settings for `email`, or null when none were found (see autoconfig.ts). */
export async function resolveAccount(
  email: string,
  deps?: AutoconfigDeps,
): Promise<ResolvedAccount | null> {
  return (await import('./autoconfig.js')).resolveAccount(email, deps);
}
