/**
 * CRLF-terminated lines from a socket, for the few places that speak IMAP before imapflow
 * does (the greeting and STARTTLS of a probe or a check step): one listener each for data,
 * end, close and error however many lines are read, lines already buffered served first. What
 * it keeps is bounded: a server that never ends a line is refused once the line passes
 * MAX_LINE bytes, and one that keeps talking once it has sent MAX_READ, lines or not (a reader
 * reads a greeting and a tagged answer; a server streaming short lines would otherwise be
 * buffered whole, faster than they are read).
 */
import type net from 'node:net';
import { formatBytes, TidingsError } from '../base/index.js';

/** A server line may be this long before the reader gives up on it (RFC 3501 sets none). */
export const MAX_LINE = 8_192;
/** All a server may send through one reader: a greeting and a few lines before an answer. */
export const MAX_READ = 65_536;

/** Reads lines; `stop()` before TLS takes the socket over (its bytes are not lines). */
export interface LineReader {
  next(): Promise<string>;
  stop(): void;
}

/** Starts reading lines from `socket`. */
export function readLines(socket: net.Socket): LineReader {
  let buffer = '';
  let received = 0;
  let failure: Error | undefined;
  let waiting: ((line: string | Error) => void) | undefined;
  const deliver = () => {
    if (!waiting) return;
    const end = buffer.indexOf('\r\n');
    if (end < 0 && !failure) return;
    const answer = waiting;
    waiting = undefined;
    if (end < 0) return answer(failure as Error);
    answer(buffer.slice(0, end));
    buffer = buffer.slice(end + 2);
  };
  const onData = (chunk: Buffer) => {
    if (failure) return;
    received += chunk.length;
    if (received > MAX_READ) {
      failure = tooMuch(`more than the limit of ${formatBytes(MAX_READ)} before its answer`);
    } else {
      buffer += chunk.toString('latin1');
      // The line still open: from the last CRLF on.
      const lastEnd = buffer.lastIndexOf('\r\n');
      const open = lastEnd < 0 ? buffer.length : buffer.length - lastEnd - 2;
      if (open > MAX_LINE) {
        failure = tooMuch(`a response larger than the limit of ${formatBytes(MAX_LINE)} per line`);
      }
    }
    deliver();
  };
  const onClose = () => {
    failure ??= new TidingsError('network', 'the server closed the connection');
    deliver();
  };
  const onError = (error: Error) => {
    failure ??= error;
    deliver();
  };
  socket.on('data', onData);
  socket.on('end', onClose);
  socket.on('close', onClose);
  socket.on('error', onError);
  return {
    next: () =>
      new Promise<string>((resolve, reject) => {
        waiting = (line) => (line instanceof Error ? reject(line) : resolve(line));
        deliver();
      }),
    // The error listener stays: an error of the plain socket under a TLS wrap must never be
    // one without a listener (Node would throw it).
    stop: () => {
      socket.off('data', onData);
      socket.off('end', onClose);
      socket.off('close', onClose);
    },
  };
}

function tooMuch(what: string): TidingsError {
  return new TidingsError('protocol', `the server sent ${what}`);
}
