/**
 * Lines to stdout. When the reader goes away (`tidings watch --json | head -1`), stdout
 * raises EPIPE; that is the reader's way of saying stop, so it ends the process quietly. A
 * terminal that was closed answers EIO: SIGHUP reloads the config rather than ending the
 * process, so the closed terminal is learned of here, and ends it the same way.
 */

/** Writes one line per call to `stream`, calling `onClosed` once if the reader is gone. */
export function createLineWriter(
  stream: NodeJS.WritableStream,
  onClosed: () => void,
): (line: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED'].includes(error.code ?? '')) onClosed();
    else throw error;
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}
