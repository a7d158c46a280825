/** The `tidings watch` logger: timestamped lines on stderr, debug only with `--verbose`. */
import type { Logger } from '../../engine/index.js';

/** A logger writing to `stream`. */
export function createStderrLogger(
  verbose: boolean,
  stream: NodeJS.WritableStream = process.stderr,
): Logger {
  const write = (level: string, message: string) =>
    stream.write(`${new Date().toISOString()} ${level} ${message}\n`);
  return {
    debugEnabled: verbose,
    debug: (message) => {
      if (verbose) write('debug', message);
    },
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
  };
}
