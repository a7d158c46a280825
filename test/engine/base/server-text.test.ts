/**
 * Text a server sends (a BYE reason, a NO's response text) ends up in status details and in
 * log lines that a terminal shows: it must arrive there without escape sequences, line
 * breaks or bidi overrides, whatever the server put in it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../../app/main/engine/base/ports.js';
import { startEngine, testSettings, type EngineRun } from '../../support/engine-harness.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

/** SGR colour, an OSC window title, an OSC 8 hyperlink, U+202E, a CR and a bare LF. */
const HOSTILE =
  '\u001b[31mred\u001b[0m \u001b]0;pwned\u0007title \u001b]8;;http://evil.test\u001b\\link\u001b]8;;\u001b\\ ' +
  '\u202eexe.pdf back\rover two\nlines';
// Controls (ESC, BEL, CR, LF…), C1 controls, bidi embeddings, overrides and isolates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const servers: ScriptedImapServer[] = [];
const runs: EngineRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.supervisor.stop()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Watches a scripted server; resolves with the first outcome and every line logged. */
async function watch(script: ImapScript) {
  const server = await startScriptedImapServer(script);
  servers.push(server);
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  const account = {
    id: 'a',
    host: '127.0.0.1',
    port: server.port,
    tls: 'none',
    allowInsecureAuth: true,
    user: 'ann',
    password: 'pw',
  };
  const engine = startEngine(
    testSettings([account], 5, { heartbeatSeconds: 5, commandTimeoutSeconds: 2 }),
    undefined,
    { logger },
  );
  runs.push(engine);
  const outcome = await engine.statuses.waitFor(
    (s) => !['connecting', 'syncing', 'stopped'].includes(s.state),
    'an outcome',
  );
  return { outcome, lines };
}

const respondTo =
  (name: string, reply: (tag: string) => string, close = false): ImapScript['respond'] =>
  (command, socket) => {
    if (command.name !== name) return false;
    if (close) socket.end(reply(command.tag));
    else socket.write(reply(command.tag));
    return true;
  };

describe('server text in statuses and logs', () => {
  it.each<[string, ImapScript, string, RegExp]>([
    [
      'a NO to LOGIN',
      { respond: respondTo('LOGIN', (tag) => `${tag} NO ${HOSTILE}\r\n`) },
      'auth-failed',
      /^login rejected: /,
    ],
    [
      'a BYE instead of an answer to LOGIN',
      { respond: respondTo('LOGIN', () => `* BYE ${HOSTILE}\r\n`, true) },
      'backoff',
      /retrying in/,
    ],
    [
      'a NO to SELECT',
      { respond: respondTo('EXAMINE', (tag) => `${tag} NO ${HOSTILE}\r\n`) },
      'error',
      /^mailbox not found: INBOX/,
    ],
  ])('keeps only printable text of %s', async (_name, script, state, detail) => {
    const { outcome, lines } = await watch(script);
    expect(outcome.state).toBe(state);
    expect(outcome.detail).toMatch(detail);
    expect(outcome.detail).not.toMatch(FORBIDDEN);
    expect(outcome.detail).toContain('red title link exe.pdf back over two');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toMatch(FORBIDDEN);
    // The escape sequences are gone whole, not left behind as "[31m" or "]0;".
    expect(`${outcome.detail}\n${lines.join('\n')}`).not.toMatch(/\[\d+m|\]0;|\]8;;/);
  });
});
