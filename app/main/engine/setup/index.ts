/**
 * Turning an address into server settings: presets, Thunderbird autoconfig, RFC 6186 SRV,
 * MX, and a guess confirmed by a probe.
 * Code outside this folder imports only from here.
 */
export { resolveAccount, type ResolvedAccount } from './autoconfig.js';
export { presets } from './presets.js';
