/** How the stream's line writer takes a reader that went away. */
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLineWriter } from '../../../app/main/cli/output/stdout-writer.js';

const failure = (code: string) => Object.assign(new Error(code), { code });

describe('createLineWriter', () => {
  it.each(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED'])(
    'takes %s for a reader that is gone: stops writing and says so once',
    (code) => {
      const stream = new PassThrough();
      const closed = vi.fn();
      const write = createLineWriter(stream, closed);
      write('one');
      stream.emit('error', failure(code));
      stream.emit('error', failure(code));
      write('two');
      expect(closed).toHaveBeenCalledOnce();
      expect(stream.read()?.toString()).toBe('one\n');
    },
  );

  it('lets any other stdout error through', () => {
    const stream = new PassThrough();
    createLineWriter(stream, () => {});
    expect(() => stream.emit('error', failure('ENOSPC'))).toThrow('ENOSPC');
  });
});
