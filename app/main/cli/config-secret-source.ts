/**
 * Passwords for `tidings watch`, from the config: literal, an environment variable, or the
 * output of a command (`pass show mail/work`). A command's answer is kept in memory for the
 * process's life so a reconnect storm does not run it (and a GPG prompt) again and again.
 */
import { exec } from 'node:child_process';
import type { AccountSettings } from '../../common/settings-schema.js';
import { TidingsError, type SecretSource } from '../engine/index.js';

const COMMAND_TIMEOUT_MS = 60_000;

/** Resolves passwords as the config says. */
export class ConfigSecretSource implements SecretSource {
  private readonly fromCommands = new Map<string, string>();

  constructor(
    private readonly accounts: readonly AccountSettings[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async getPassword(accountId: string): Promise<string> {
    const account = this.accounts.find((candidate) => candidate.id === accountId);
    if (!account) throw new TidingsError('config', `no account "${accountId}" in the config`);
    if (account.password !== undefined) return account.password;
    if (account.passwordEnv !== undefined) {
      const value = this.env[account.passwordEnv];
      if (value === undefined) {
        throw new TidingsError('config', `environment variable ${account.passwordEnv} is not set`);
      }
      return value;
    }
    if (account.passwordCommand !== undefined) {
      const cached = this.fromCommands.get(accountId);
      if (cached !== undefined) return cached;
      const password = await runPasswordCommand(account.passwordCommand);
      this.fromCommands.set(accountId, password);
      return password;
    }
    throw new TidingsError('config', 'no password source');
  }
}

function runPasswordCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    exec(command, { timeout: COMMAND_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      // Only the exit status is reported: stderr may echo the secret.
      if (error) {
        const how = error.killed ? 'timed out' : `exited with status ${String(error.code)}`;
        reject(new TidingsError('config', `passwordCommand ${how}`, { cause: error }));
        return;
      }
      const password = stdout.replace(/\r?\n$/, '');
      if (!password) reject(new TidingsError('config', 'passwordCommand printed nothing'));
      else resolve(password);
    });
  });
}
