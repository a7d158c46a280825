/** How the stream's line writer takes a reader that went away. */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createLineWriter } from '../../../app/main/cli/output/stdout-writer.js';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('createLineWriter', () => {
  it.each(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED'])(
    'takes %s for a reader that is gone: stops writing and says so once',
    async (code) => {
      const stream = new PassThrough();
      const closed = vi.fn();
      const write = createLineWriter(stream, closed);
      write('one');
      await nextTurn();
      stream.emit('error', failure(code));
      stream.emit('error', failure(code));
      write('two');
      expect(closed).toHaveBeenCalledOnce();
      expect(stream.read()?.toString()).toBe('one\n');
    },
  );

  it("writes a turn's lines in one write, in order, at the end of the turn", async () => {
    const stream = new PassThrough();
    const writes: string[] = [];
    stream.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    const write = createLineWriter(stream, () => {});
    write('{"event":"status","state":"connecting"}');
    write('{"event":"status","state":"idle"}');
    expect(writes).toEqual([]);
    await nextTurn();
    write('{"event":"new-mail"}');
    await nextTurn();
    expect(writes).toEqual([
      '{"event":"status","state":"connecting"}\n{"event":"status","state":"idle"}\n',
      '{"event":"new-mail"}\n',
    ]);
  });

  it('writes a line asked `now` at once, after the lines pending before it', () => {
    const stream = new PassThrough();
    const writes: string[] = [];
    stream.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
    const write = createLineWriter(stream, () => {});
    write('status');
    write('new-mail', true);
    expect(writes).toEqual(['status\nnew-mail\n']);
  });

  it('hands what is pending to stdout when the process exits in the same turn', async () => {
    const writer = fileURLToPath(
      new URL('../../../app/main/cli/output/stdout-writer.ts', import.meta.url),
    );
    const script =
      `const { createLineWriter } = await import(${JSON.stringify(writer)});` +
      `const write = createLineWriter(process.stdout, () => {});` +
      `write('one'); write('two'); process.exit(3);`;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          (_error, out) => resolve({ code: child.exitCode, stdout: out }),
        );
      },
    );
    expect({ code, stdout }).toEqual({ code: 3, stdout: 'one\ntwo\n' });
  });

  it('drops what is pending once the reader is gone', async () => {
    const stream = new PassThrough();
    const write = createLineWriter(stream, () => {});
    write('lost');
    stream.emit('error', failure('EPIPE'));
    await nextTurn();
    expect(stream.read()).toBeNull();
  });

  it('lets any other stdout error through', () => {
    const stream = new PassThrough();
    createLineWriter(stream, () => {});
    expect(() => stream.emit('error', failure('ENOSPC'))).toThrow('ENOSPC');
  });
});
