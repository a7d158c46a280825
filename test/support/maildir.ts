/**
 * Delivery straight into a Dovecot user's Maildir, for backlogs too large to APPEND in a
 * test's time (10^5 messages). Each file is written in tmp/ and renamed into new/, as the
 * Maildir convention says, so the server never reads a half-written message. As root the
 * files take the Maildir's owner (`dovecot`): Dovecot refuses mail it does not own.
 */
import { closeSync, fchownSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/** Writes `count` messages, `build(i)` for i = 0…count−1, into `maildir`'s new/ folder. */
export function deliverToMaildir(
  maildir: string,
  count: number,
  build: (index: number) => string,
): void {
  const owner = statSync(maildir);
  const asRoot = process.getuid?.() === 0;
  const unique = `${Math.floor(Date.now() / 1000)}.P${process.pid}`;
  const host = hostname().replace(/[/:]/g, '_');
  for (let index = 0; index < count; index++) {
    const name = `${unique}Q${index}.${host}`;
    const temporary = path.join(maildir, 'tmp', name);
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, build(index));
      if (asRoot) fchownSync(fd, owner.uid, owner.gid);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path.join(maildir, 'new', name));
  }
}
