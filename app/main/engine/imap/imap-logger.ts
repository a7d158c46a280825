/**
 * imapflow's logger, redacted. By default imapflow logs through pino at info level, protocol
 * lines included; this adapter forwards only its own messages (never raw protocol data, so
 * never a LOGIN line or a password) at warn and error, and the rest at debug. Its messages
 * can quote the server (a parser error shows the line it choked on): they are sanitized.
 *
 * imapflow (2.10.2, `send` and `handleResponse` in imap-flow.js) serializes every command and
 * every server response for its debug/trace log only when `isLevelEnabled(level)` says someone
 * takes it. Without that method it asks whether the logger has a method for the level, and
 * ours has: at rest with 10 × 1,000 mailboxes over NOTIFY that serialization was 40 % of the
 * busy CPU under 2.1.2, which did it unasked. The protocol lines are never forwarded, so debug
 * and trace are off whatever the verbosity; the rest is on only when our logger keeps debug
 * lines (`--verbose`, TIDINGS_DEBUG), as that is where it goes.
 */
import type { Logger } from '../base/index.js';
import { sanitizeServerText } from '../base/index.js';

interface ImapLogEntry {
  msg?: unknown;
  err?: { message?: unknown; code?: unknown };
}

/** imapflow's log levels, lowest first. */
type ImapLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** An imapflow `logger` that writes sanitized one-line messages to `logger`. */
export function createImapLogger(logger: Logger, label: string) {
  const line = (entry: ImapLogEntry): string => {
    const msg = sanitizeServerText(entry.msg) || 'event';
    const err = entry.err?.message ? `: ${sanitizeServerText(String(entry.err.message))}` : '';
    return `${label}: imap: ${msg}${err}`;
  };
  const keeps = logger.debugEnabled !== false;
  const forward = (entry: ImapLogEntry) => {
    if (keeps) logger.debug(line(entry));
  };
  return {
    /** What imapflow asks before it serializes a command or response for the log. */
    isLevelEnabled: (level: ImapLogLevel) => keeps && level !== 'trace' && level !== 'debug',
    trace: () => {},
    debug: () => {},
    info: forward,
    warn: forward,
    error: forward,
    // Without a method of its own, imapflow writes a fatal entry to the console.
    fatal: forward,
  };
}
