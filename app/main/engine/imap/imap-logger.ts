/**
 * imapflow's logger, redacted. By default imapflow logs through pino at info level, protocol
 * lines included; this adapter forwards only its own messages (never raw protocol data, so
 * never a LOGIN line or a password) at warn and error, and the rest at debug. Its messages
 * can quote the server (a parser error shows the line it choked on): they are sanitized.
 */
import type { Logger } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';

interface ImapLogEntry {
  msg?: unknown;
  err?: { message?: unknown; code?: unknown };
}

/** An imapflow `logger` that writes sanitized one-line messages to `logger`. */
export function createImapLogger(logger: Logger, label: string) {
  const line = (entry: ImapLogEntry): string => {
    const msg = sanitizeServerText(entry.msg) || 'event';
    const err = entry.err?.message ? `: ${sanitizeServerText(String(entry.err.message))}` : '';
    return `${label}: imap: ${msg}${err}`;
  };
  return {
    trace: () => {},
    debug: () => {},
    info: (entry: ImapLogEntry) => logger.debug(line(entry)),
    warn: (entry: ImapLogEntry) => logger.debug(line(entry)),
    error: (entry: ImapLogEntry) => logger.debug(line(entry)),
  };
}
