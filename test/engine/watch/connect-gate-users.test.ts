/**
 * The supervisor's connect gate counts per server and user (app/main/engine/imap/connect-gate
 * .ts): a user whose logins hang fills their own gate, not the server's. One scripted server,
 * two accounts: ann's LOGINs are never answered (her command deadline is minutes away), bob's
 * are. Before, ann's first four watchers held the server's four slots and bob waited behind.
 */
import { afterEach, expect, it } from 'vitest';
import {
  startScriptedImapServer,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';
import { startEngine, testSettings, type EngineRun } from '../../support/engine-harness.js';
import { waitUntil } from '../../support/manual-watcher.js';

let server: ScriptedImapServer | undefined;
let engine: EngineRun | undefined;
afterEach(async () => {
  await engine?.supervisor.stop();
  await server?.close();
  engine = server = undefined;
});

const ANN_MAILBOXES = ['INBOX', 'A', 'B', 'C', 'D', 'E'];
const annLogin = /^\S+ LOGIN "?ann"? /i;

it("logs one user in while another user's logins to the same server hang", async () => {
  const scripted = await startScriptedImapServer({
    // Swallowed: ann's LOGIN stays unanswered until the test ends.
    respond: (command) => command.name === 'LOGIN' && annLogin.test(command.line),
  });
  server = scripted;
  const account = (id: string, mailboxes: string[]) => ({
    id,
    host: '127.0.0.1',
    port: scripted.port,
    tls: 'none',
    allowInsecureAuth: true,
    user: id,
    password: 'pw',
    mailboxes,
    // One connection per mailbox, as after a restart of an IDLE account: a herd of one user.
    watchMode: 'idle',
  });
  const liveness = { heartbeatSeconds: 60, commandTimeoutSeconds: 300 };
  const annOnly = testSettings([account('ann', ANN_MAILBOXES)], 5, liveness);
  const run = startEngine(annOnly);
  engine = run;
  // Four of ann's six IDLE watchers are inside a gate of four, waiting for their LOGIN.
  await waitUntil(() => scripted.commands.filter((c) => annLogin.test(c.line)).length === 4);

  const bob = account('bob', ['INBOX']);
  await run.apply(testSettings([account('ann', ANN_MAILBOXES), bob], 5, liveness));
  await run.allIdle(testSettings([bob], 5, liveness));
  // Still four of ann's LOGINs, none answered: bob did not wait for ann's slots.
  expect(scripted.commands.filter((c) => annLogin.test(c.line))).toHaveLength(4);
  expect(run.statuses.items.filter((s) => s.account === 'ann' && s.state === 'idle')).toEqual([]);
});
