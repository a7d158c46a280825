/**
 * Passwords for `tidings watch`, from the config: literal, an environment variable, or the
 * first line printed by a command (`pass show mail/work`). A command runs at most once at a
 * time per account and its answer is kept in memory for the process's life, so neither the
 * watchers of one account starting together nor a reconnect storm runs it (and a GPG prompt)
 * again and again. An answer the server rejected is forgotten, so the next try asks anew.
 */
import type { AccountSettings } from '../../../common/settings-schema.js';
import { TidingsError, type SecretSource } from '../../engine/index.js';
import { startFirstLineCommand, type CommandRun } from './first-line-command.js';

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;

/** Options of a ConfigSecretSource. */
export interface ConfigSecretSourceOptions {
  /** How long a passwordCommand may run before its whole process group is killed. */
  commandTimeoutMs?: number;
}

/** Resolves passwords as the config says. */
export class ConfigSecretSource implements SecretSource {
  // Per account: the run in flight, then its answer. A failed run is dropped, not kept.
  private readonly fromCommands = new Map<string, Promise<string>>();
  // The accounts whose entry above is an answer, not a run still in flight.
  private readonly answered = new Set<string>();
  private readonly running = new Set<CommandRun>();
  private readonly commandTimeoutMs: number;

  constructor(
    private accounts: readonly AccountSettings[],
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: ConfigSecretSourceOptions = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  }

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
      return this.fromCommand(accountId, account.passwordCommand);
    }
    throw new TidingsError('config', 'no password source');
  }

  /** Drops an account's remembered passwordCommand answer (the server rejected it). */
  forget(accountId: string): void {
    // A run in flight is already a fresh ask: forgetting it would start a second prompt.
    if (!this.answered.delete(accountId)) return;
    this.fromCommands.delete(accountId);
  }

  /**
   * Takes a reloaded config's accounts. A remembered passwordCommand answer is kept only for
   * an account whose password source is unchanged, so a new command or password is used.
   */
  update(accounts: readonly AccountSettings[]): void {
    const before = new Map(this.accounts.map((account) => [account.id, passwordSource(account)]));
    this.accounts = accounts;
    const after = new Map(accounts.map((account) => [account.id, passwordSource(account)]));
    for (const id of [...this.fromCommands.keys()]) {
      if (before.get(id) === after.get(id)) continue;
      this.fromCommands.delete(id);
      this.answered.delete(id);
    }
  }

  /** Kills every passwordCommand still running, with everything it started. */
  close(): void {
    for (const run of this.running) run.stop();
  }

  private fromCommand(accountId: string, command: string): Promise<string> {
    const known = this.fromCommands.get(accountId);
    if (known) return known;
    const run = startFirstLineCommand(command, 'passwordCommand', this.commandTimeoutMs);
    this.running.add(run);
    const password = run.output.finally(() => this.running.delete(run));
    this.fromCommands.set(accountId, password);
    this.answered.delete(accountId);
    // Registered before any caller's handler, so a caller that retries at once runs it anew.
    password.then(
      () => {
        if (this.fromCommands.get(accountId) === password) this.answered.add(accountId);
      },
      () => this.fromCommands.delete(accountId),
    );
    return password;
  }
}

// Where an account's password comes from, as one comparable string.
function passwordSource(account: AccountSettings): string {
  return JSON.stringify([account.password, account.passwordEnv, account.passwordCommand]);
}
