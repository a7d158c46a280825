import { writeFileSync } from 'node:fs';
import {
  manyAccountsConfig,
  startManyAccounts,
  startScaleWatch,
  freshStateDir,
} from './support/many-accounts.js';
import { pause } from './support/fixture.js';
const [accounts, mailboxes, out, parent] = process.argv.slice(2);
const setup = await startManyAccounts(Number(accounts), Number(mailboxes));
const config = manyAccountsConfig(setup);
const dir = freshStateDir(parent);
try {
  for (const kind of ['first', 'restart']) {
    const wall = Date.now();
    const w = startScaleWatch(setup, config, dir, 900_000);
    const ms = (await w.allIdle) - w.startedAt;
    console.log(kind, ms.toFixed(0));
    await w.proc.stop();
    writeFileSync(
      `${out}-${kind}.jsonl`,
      JSON.stringify({ wallStart: wall, ms }) + '\n' + w.proc.stdout(),
    );
    writeFileSync(`${out}-${kind}.stderr`, w.proc.stderr());
    await pause(1000);
  }
} finally {
  await setup.dovecot.stop();
}
