/**
 * Where the CLI's secrets come from: password, passwordEnv and passwordCommand, OAuth2
 * clients and the token file.
 * Code outside this folder imports only from here.
 */
export { createConfigCredentials } from './config-credentials.js';
export { ConfigSecretSource } from './config-secret-source.js';
export { bindingOf, endpointsForAccount } from './oauth2-client.js';
export { TokenFile } from './token-file.js';
