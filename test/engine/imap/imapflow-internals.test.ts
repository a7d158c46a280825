/**
 * The imapflow internals the engine leans on (imap/imapflow-internals.ts says why each is needed). They
 * are not public API: this pins them to the version in package.json, so an upgrade that moves
 * one fails here by name instead of as a silent change of behaviour.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ImapFlow } from 'imapflow';
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { decodePath, encodePath, normalizePath } from 'imapflow/lib/tools.js';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('imapflow internals', () => {
  it('is the version they were read in', () => {
    const pkg = JSON.parse(readFileSync(require.resolve('imapflow/package.json'), 'utf8')) as {
      version: string;
    };
    expect(pkg.version).toBe('2.10.2');
  });

  it('hands every parsed response to handleResponse, from its reader', () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false }) as unknown as Record<
      string,
      unknown
    >;
    expect(typeof client.handleResponse).toBe('function');
    // Called through `this`, so the session's own property takes its place.
    expect(String(client.reader)).toContain('await this.handleResponse(data)');
  });

  it('passes its line, literal and response limits to its parser, which fails with the code and limit', async () => {
    const limits = { maxLineLength: 20, maxLiteralSize: 8, maxResponseSize: 40 };
    const client = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false, ...limits });
    expect((client as unknown as { streamer: object }).streamer).toMatchObject(limits);
    const failure = (input: string) => {
      const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
      const stream = new ImapStream({ logger: quiet as never, ...limits });
      return new Promise<unknown>((resolve) => {
        stream.on('error', resolve);
        stream.write(Buffer.from(input, 'latin1'));
      });
    };
    await expect(failure('* OK a line that never ends')).resolves.toMatchObject({
      code: 'LineTooLarge',
      maxSize: 20,
    });
    await expect(failure('* 1 FETCH (X {9}\r\n')).resolves.toMatchObject({
      code: 'LiteralTooLarge',
      literalSize: 9,
      maxSize: 8,
    });
    await expect(failure('* 1 X {8}\r\n12345678 {8}\r\n12345678 {8}\r\n')).resolves.toMatchObject({
      code: 'ResponseTooLarge',
      maxSize: 40,
    });
  });

  it('has exec, the untagged and section handler tables and lookup, throttleWait and serverBye', () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false }) as unknown as Record<
      string,
      unknown
    >;
    expect(typeof client.exec).toBe('function');
    expect(typeof client.getUntaggedHandler).toBe('function');
    expect(typeof client.throttleWait).toBe('function');
    expect(typeof client.serverBye).toBe('function');
    // Asked by readPlainStatusFirst: with debug on, imapflow logs each response it parses.
    expect(String(client.handleResponse)).toContain('this.isLogLevelEnabled(logLevel)');
    expect(String(client.handleResponse)).toContain(
      'let untaggedHandler = this.getUntaggedHandler(parsed.command, parsed.attributes);',
    );
    expect(typeof client.isLogLevelEnabled).toBe('function');
    expect(client.untaggedHandlers).toBeTypeOf('object');
    expect(client.sectionHandlers).toBeTypeOf('object');
    // A handler put in the table is what the lookup answers outside a command.
    const handler = () => undefined;
    (client.untaggedHandlers as Record<string, unknown>).STATUS = handler;
    const lookUp = client.getUntaggedHandler as (command: string, attributes: unknown) => unknown;
    expect(lookUp.call(client, 'STATUS', [])).toBe(handler);
    // During a command, that command's own handler comes first: currentRequest holds it.
    const own = () => undefined;
    client.currentRequest = { command: 'LIST', options: { untagged: { STATUS: own } } };
    expect(lookUp.call(client, 'STATUS', [])).toBe(own);
  });

  it('codes mailbox names in modified UTF-7 (RFC 3501 §5.1.3) through lib/tools.js', () => {
    const connection = { enabled: new Set<string>(), capabilities: new Map() };
    expect(encodePath(connection as never, 'Über')).toBe('&ANw-ber');
    expect(encodePath(connection as never, 'A&B')).toBe('A&-B');
    expect(decodePath(connection as never, '&ANw-ber')).toBe('Über');
    expect(encodePath(connection as never, 'Plain')).toBe('Plain');
  });

  it('lists a mailbox before its first SELECT only when folders has no entry under its normalized path', () => {
    const client = new ImapFlow({ host: '127.0.0.1', port: 1, logger: false }) as unknown as {
      folders: unknown;
      namespace?: { prefix: string; delimiter: string };
    };
    expect(client.folders).toBeInstanceOf(Map);
    // Both builds: the bundle takes the ES module one, this test's require the CommonJS one.
    const cjs = require.resolve('imapflow/lib/commands/select.js');
    for (const file of [cjs, cjs.replace('/dist/cjs/', '/dist/esm/')]) {
      const select = readFileSync(file, 'utf8');
      expect(select).toMatch(
        /let path = \(?(?:0, tools_js_1\.)?normalizePath\)?\(connection, pathInput\);/,
      );
      expect(select).toMatch(
        /if \(!connection\.folders\.has\(path\)\) \{\s+let folders = await connection\.run\('LIST', '', path\);/,
      );
    }
    // The key: INBOX in upper case, the namespace's prefix put in front of other names.
    client.namespace = { prefix: 'INBOX.', delimiter: '.' };
    expect(normalizePath(client as never, 'inbox')).toBe('INBOX');
    expect(normalizePath(client as never, 'Work')).toBe('INBOX.Work');
    expect(normalizePath(client as never, 'INBOX.Work')).toBe('INBOX.Work');
  });
});
