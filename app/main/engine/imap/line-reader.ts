/**
 * CRLF-terminated lines from a socket, for the few places that speak IMAP before imapflow
 * does (the greeting and STARTTLS of a probe or a check step): one listener each for data,
 * end, close and error however many lines are read, lines already buffered served first, and
 * a server that never ends a line refused once it has sent MAX_LINE bytes.
 */
import type net from 'node:net';
import { TidingsError } from '../base/index.js';

/** A server line may be this long before the reader gives up on it (RFC 3501 sets none). */
export const MAX_LINE = 8_192;

/** Reads lines; `stop()` before TLS takes the socket over (its bytes are not lines). */
export interface LineReader {
  next(): Promise<string>;
  stop(): void;
}

/** Starts reading lines from `socket`. */
export function readLines(socket: net.Socket): LineReader {
  let buffer = '';
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
    buffer += chunk.toString('latin1');
    if (buffer.length > MAX_LINE && !buffer.includes('\r\n')) {
      failure ??= new TidingsError('protocol', 'the server sent a line too long to be IMAP');
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
