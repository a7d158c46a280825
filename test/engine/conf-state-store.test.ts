import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfStateStore } from '../../app/main/engine/conf-state-store.js';
import { silentLogger, type Logger } from '../../app/main/engine/ports.js';

const newDir = () => mkdtempSync(path.join(tmpdir(), 'tidings-state-test-'));

describe('ConfStateStore', () => {
  it('keeps cursors and Message-IDs across a reopen, mailbox names with dots included', () => {
    const dir = newDir();
    const first = new ConfStateStore(dir, silentLogger);
    first.setCursor('work', 'Lists.team', { uidValidity: 7, highestUid: 42 });
    first.setAnnouncedMessageIds('work', ['<a@x>', '<b@x>']);
    const again = new ConfStateStore(dir, silentLogger);
    expect(again.getCursor('work', 'Lists.team')).toEqual({ uidValidity: 7, highestUid: 42 });
    expect(again.getAnnouncedMessageIds('work')).toEqual(['<a@x>', '<b@x>']);
  });

  it('keeps a state file that is not JSON aside, says so, and starts afresh', () => {
    const dir = newDir();
    writeFileSync(path.join(dir, 'state.json'), '{not json');
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const store = new ConfStateStore(dir, logger);
    expect(store.getCursor('work', 'INBOX')).toBeUndefined();
    const [backup] = readdirSync(dir).filter((file) => file.startsWith('state.json.invalid-'));
    expect(backup).toBeDefined();
    expect(warnings).toEqual([
      expect.stringContaining(`kept it as ${path.join(dir, backup ?? '')}`),
    ]);
    store.setCursor('work', 'INBOX', { uidValidity: 1, highestUid: 3 });
    expect(new ConfStateStore(dir, silentLogger).getCursor('work', 'INBOX')).toEqual({
      uidValidity: 1,
      highestUid: 3,
    });
  });
});
