/**
 * `tidings service` as the command line takes it: the action is required, and only install
 * needs --config (the rest of the command is tested in service.test.ts with a fake world).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.js';

let home = '';
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('tidings service on the command line', () => {
  it('exits 2 naming the actions when none or another is given', async () => {
    for (const args of [['service'], ['service', 'start'], ['service', 'install', 'x']]) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^tidings: service: give one of install, uninstall, status/);
    }
  });

  it('answers status without --config (exit 3: not installed), and wants --config to install', async () => {
    home = mkdtempSync(path.join(tmpdir(), 'tidings-service-home-'));
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    const status = await runCli(['service', 'status'], env);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(
      `tidings.service: not installed (${path.join(home, '.config/systemd/user/tidings.service')})`,
    );
    const install = await runCli(['service', 'install'], env);
    expect(install.code).toBe(2);
    expect(install.stderr).toMatch(/--config/);
  });
});
