/**
 * The OAuth2 clients this build carries. Committed empty: no client id lives in the repo.
 * `npm run build` replaces the compiled file (scripts/write-build-info.mjs) with the values
 * of TIDINGS_GOOGLE_CLIENT_ID, TIDINGS_GOOGLE_CLIENT_SECRET and TIDINGS_MICROSOFT_CLIENT_ID
 * at build time; a build without them has none, and accounts need their own client id.
 */
import type { BuiltInClients } from '../engine/auth/index.js';

/** The built-in OAuth2 clients (none in a development checkout). */
export const builtInClients: BuiltInClients = {};
