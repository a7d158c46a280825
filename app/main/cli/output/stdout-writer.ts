/**
 * Lines to stdout. When the reader goes away (`tidings watch --json | head -1`), stdout
 * raises EPIPE; that is the reader's way of saying stop, so it ends the process quietly. A
 * terminal that was closed answers EIO: SIGHUP reloads the config rather than ending the
 * process, so the closed terminal is learned of here, and ends it the same way.
 *
 * Status lines of one turn of the event loop go out in one write, at its end (setImmediate): a
 * start at 1,000 mailboxes says 3,000 of them, and each write to stdout is a system call of
 * its own (bench/RESULTS.md, issue 23). A line written `now` (new mail: the stream is written
 * first, before popups and hooks) goes at once, after what was pending. Nothing waits longer
 * than that turn, and what is pending when the process exits is handed to stdout by its
 * `exit` handler, as a line written just before `process.exit` always was.
 */

/** Every writer with lines pending, written out when the process exits. */
const pendingAtExit = new Set<() => void>();
let exitHooked = false;

/**
 * Writes one line per call to `stream` (at once with `now`, else at the end of the turn),
 * calling `onClosed` once if the reader is gone.
 */
export function createLineWriter(
  stream: NodeJS.WritableStream,
  onClosed: () => void,
): (line: string, now?: boolean) => void {
  let closed = false;
  let pending = '';
  const flush = () => {
    pendingAtExit.delete(flush);
    const text = pending;
    pending = '';
    if (!closed && text !== '') stream.write(text);
  };
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    pending = '';
    if (['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED'].includes(error.code ?? '')) onClosed();
    else throw error;
  });
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const write of [...pendingAtExit]) write();
    });
  }
  return (line, now = false) => {
    if (closed) return;
    if (pending === '' && !now) {
      pendingAtExit.add(flush);
      setImmediate(flush);
    }
    pending += `${line}\n`;
    // What was pending goes first; the turn's flush then finds nothing to write.
    if (now) flush();
  };
}
