/**
 * The limits a session puts on what a server sends (imap/response-limits.ts), one level below
 * the memory tests of response-bounds.test.ts: imapflow's breaches read as protocol errors that
 * name the limit, the exchange budget starts afresh with each command and wait and names what
 * it was counting, and a session against a server that floods ends as that error, at once.
 */
import type net from 'node:net';
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError, TidingsError } from '../../../app/main/engine/base/errors.js';
import { silentLogger, systemClock } from '../../../app/main/engine/base/ports.js';
import { ImapSession } from '../../../app/main/engine/imap/imap-session.js';
import {
  EXCHANGE_BYTES,
  ExchangeMeter,
  fetchBudget,
  imapFlowLimits,
  MAX_LINE_BYTES,
} from '../../../app/main/engine/imap/response-limits.js';
import { toImapFlowOptions } from '../../../app/main/engine/imap/session-options.js';
import { flood } from '../../support/flood.js';
import {
  startScriptedImapServer,
  type ImapScript,
  type ScriptedImapServer,
} from '../../support/scripted-imap-server.js';

const servers: ScriptedImapServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** What imapflow's parser fails with on `input`, with the session's limits. */
function parserFailure(input: string): Promise<unknown> {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  const stream = new ImapStream({ logger: quiet as never, ...imapFlowLimits });
  return new Promise((resolve) => {
    stream.on('error', resolve);
    stream.write(Buffer.from(input, 'latin1'));
  });
}

describe('imapflow’s limits', () => {
  it('are set on every session', () => {
    const options = toImapFlowOptions(
      {
        host: '127.0.0.1',
        port: 143,
        tls: 'none',
        user: 'ann',
        credentials: { kind: 'password', password: 'pw' },
        commandTimeoutMs: 1_000,
        socketTimeoutMs: 1_000,
        clock: systemClock,
        logger: silentLogger,
        label: 'a',
      },
      {},
    );
    expect(options).toMatchObject({
      maxLineLength: 1024 * 1024,
      maxLiteralSize: 1024 * 1024,
      maxResponseSize: 2 * 1024 * 1024,
    });
  });

  it('read, when broken, as protocol errors that name the limit', async () => {
    const line = classifyError(await parserFailure(`* OK ${'x'.repeat(MAX_LINE_BYTES)}`));
    expect(line).toMatchObject({
      code: 'protocol',
      message: 'the server sent a response larger than the limit of 1 MiB per line',
    });
    const literal = classifyError(await parserFailure('* 1 FETCH (BODY[] {2000000}\r\n'));
    expect(literal).toMatchObject({
      code: 'protocol',
      message:
        'the server sent a response larger than the limit of 1 MiB per literal (it announced 2000000 bytes)',
    });
    const huge = classifyError(await parserFailure(`* 1 FETCH (BODY[] {${'9'.repeat(40)}}\r\n`));
    expect(huge.message).toBe(
      'the server sent a response larger than the limit of 1 MiB per literal',
    );
    const literals = `* 1 FETCH (A {1048576}\r\n${'a'.repeat(1048576)} B {1048576}\r\n`;
    expect(classifyError(await parserFailure(literals))).toMatchObject({
      code: 'protocol',
      message: 'the server sent a response larger than the limit of 2 MiB per response',
    });
  });
});

describe('the exchange budget', () => {
  it('counts from the start of each exchange and names it once past', () => {
    const meter = new ExchangeMeter();
    meter.start('in answer to NOOP');
    expect(meter.add(EXCHANGE_BYTES)).toBeUndefined();
    expect(meter.add(1)).toMatchObject({
      code: 'protocol',
      message: 'the server sent more than the limit of 8 MiB in answer to NOOP',
    });
    meter.start('in one IDLE wait');
    expect(meter.add(EXCHANGE_BYTES)).toBeUndefined();
    meter.start('in answer to UID FETCH', fetchBudget(10));
    expect(meter.add(EXCHANGE_BYTES + 10 * 16 * 1024)).toBeUndefined();
    expect(meter.add(1)?.message).toBe(
      'the server sent more than the limit of 8 MiB + 16 KiB per message asked in answer to UID FETCH',
    );
  });
});

/** A session on a scripted server. */
async function openOn(script: ImapScript): Promise<ImapSession> {
  const server = await startScriptedImapServer(script);
  servers.push(server);
  return ImapSession.open({
    host: '127.0.0.1',
    port: server.port,
    tls: 'none',
    user: 'ann',
    credentials: { kind: 'password', password: 'pw' },
    commandTimeoutMs: 30_000,
    socketTimeoutMs: 60_000,
    clock: systemClock,
    logger: silentLogger,
    label: 'a/INBOX',
  });
}

/** Untagged lines of ~1 KiB that mean nothing, `total` bytes of them. */
const chatter = (socket: net.Socket, total = 64 * 1024 * 1024) =>
  flood(socket, `* OK ${'chatter '.repeat(128)}\r\n`, total);

describe('a session', () => {
  it('ends as a protocol error when a command’s answer goes past its budget', async () => {
    const session = await openOn({
      respond(command, socket) {
        if (command.name !== 'NOOP') return false;
        void chatter(socket);
        return true;
      },
    });
    const error = await session.noop().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TidingsError);
    expect(error).toMatchObject({
      code: 'protocol',
      message: 'the server sent more than the limit of 8 MiB in answer to NOOP',
    });
    expect(session.usable).toBe(false);
  });

  it('gives each command a budget of its own', async () => {
    const session = await openOn({
      respond(command, socket) {
        if (command.name !== 'NOOP') return false;
        void chatter(socket, 6 * 1024 * 1024).then(() =>
          socket.write(`${command.tag} OK NOOP done\r\n`),
        );
        return true;
      },
    });
    await session.noop();
    await session.noop();
    expect(session.usable).toBe(true);
    await session.logout(1_000);
  });

  it('ends as a protocol error when what comes unasked, between commands, goes past it', async () => {
    let socket: net.Socket | undefined;
    const session = await openOn({
      respond(command, client) {
        socket = client;
        return false;
      },
    });
    await session.noop();
    void chatter(socket as net.Socket);
    const ended = await session.raceClose(new Promise(() => {})).catch((e: unknown) => e);
    expect(ended).toMatchObject({
      code: 'protocol',
      message: 'the server sent more than the limit of 8 MiB outside any command',
    });
  });
});
