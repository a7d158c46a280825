/**
 * Lines to stdout. When the reader goes away (`tidings watch --json | head -1`), stdout
 * raises EPIPE; that is the reader's way of saying stop, so it ends the process quietly.
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
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') onClosed();
    else throw error;
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}
