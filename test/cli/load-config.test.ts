import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/main/cli/load-config.js';

const valid = {
  accounts: [{ id: 'work', host: 'imap.example.test', user: 'ann', password: 'x' }],
};

function load(config: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-cfg-')), 'c.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return loadConfig(file, env);
}

function problems(config: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    load(config, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills the defaults of DESIGN.md', () => {
    const settings = load(valid);
    expect(settings.notifications.burstThreshold).toBe(5);
    expect(settings.liveness).toEqual({
      heartbeatSeconds: 60,
      commandTimeoutSeconds: 15,
      maxBackoffSeconds: 300,
    });
    expect(settings.accounts[0]).toMatchObject({ tls: 'implicit', mailboxes: ['INBOX'] });
  });

  it('names a field of the wrong type', () => {
    const bad = { accounts: [{ ...valid.accounts[0], port: '993' }] };
    expect(problems(bad)).toEqual([expect.stringMatching(/^accounts\[0\]\.port: /)]);
  });

  it('names an unknown (misspelt) key', () => {
    const bad = { accounts: [{ ...valid.accounts[0], pasword: 'x' }] };
    expect(problems(bad).join('\n')).toMatch(/accounts\[0\].*pasword/);
  });

  it('rejects a heartbeat beyond the 29 minutes of RFC 2177', () => {
    expect(problems({ ...valid, liveness: { heartbeatSeconds: 1800 } })).toEqual([
      expect.stringMatching(/^liveness\.heartbeatSeconds: /),
    ]);
  });

  it('requires allowInsecureAuth for tls "none"', () => {
    const bad = { accounts: [{ ...valid.accounts[0], tls: 'none' }] };
    expect(problems(bad)).toEqual([
      expect.stringMatching(/^accounts\[0\]\.tls: .*allowInsecureAuth/),
    ]);
  });

  it('rejects duplicate account ids and duplicate mailboxes', () => {
    const dup = { accounts: [valid.accounts[0], { ...valid.accounts[0], mailboxes: ['A', 'A'] }] };
    const found = problems(dup);
    expect(found).toContainEqual(expect.stringMatching(/^accounts\[1\]\.id: /));
    expect(found).toContainEqual(expect.stringMatching(/^accounts\[1\]\.mailboxes: /));
  });

  it('requires exactly one password source', () => {
    const { password: _drop, ...noPassword } = valid.accounts[0] as Record<string, unknown>;
    expect(problems({ accounts: [noPassword] })).toEqual([
      'accounts[0]: give one of password, passwordEnv, passwordCommand',
    ]);
    const two = { accounts: [{ ...valid.accounts[0], passwordEnv: 'PW' }] };
    expect(problems(two)).toEqual([
      expect.stringMatching(/^accounts\[0\]\.passwordEnv: give only one/),
    ]);
  });

  it('names an unset password environment variable, and accepts a set one', () => {
    const viaEnv = { accounts: [{ id: 'w', host: 'h', user: 'u', passwordEnv: 'TIDINGS_PW' }] };
    expect(problems(viaEnv)).toEqual([
      'accounts[0].passwordEnv: environment variable TIDINGS_PW is not set',
    ]);
    expect(load(viaEnv, { TIDINGS_PW: 'x' }).accounts[0]?.passwordEnv).toBe('TIDINGS_PW');
  });

  it('says where JSON is broken, without quoting the file (it may hold a password)', () => {
    expect(problems('{"accounts": [}')).toEqual(['not valid JSON: line 1, column 15']);
    expect(problems('{\n  "password": hunter2-secret\n}')).toEqual([
      'not valid JSON: line 2, column 15',
    ]);
    expect(problems('{"accounts": [')).toEqual(['not valid JSON: unexpected end of the file']);
  });

  it('says when the file cannot be read', () => {
    expect(() => loadConfig('/nonexistent/tidings.json')).toThrow(
      /cannot read the file \(ENOENT\)/,
    );
  });
});
