import {
  manyAccountsConfig,
  startManyAccounts,
  startScaleWatch,
  freshStateDir,
} from './support/many-accounts.js';
import { pause } from './support/fixture.js';
const [accounts, mailboxes, profDir, parent] = process.argv.slice(2);
const setup = await startManyAccounts(Number(accounts), Number(mailboxes));
const config = manyAccountsConfig(setup);
const dir = freshStateDir(parent);
try {
  for (const kind of ['first', 'restart']) {
    process.env.NODE_OPTIONS = `--import /tmp/scale-diag/prof.mjs`;
    process.env.PROF_DIR = `${profDir}/${kind}`;
    process.env.PROF_MS = kind === 'first' ? '4000' : '1500';
    const w = startScaleWatch(setup, config, dir, 600_000);
    const ms = (await w.allIdle) - w.startedAt;
    console.log(kind, ms.toFixed(0));
    // stop right at idle, so the profile covers the start
    await pause(Number(process.env.PROF_MS) + 1000);
    await w.proc.stop();
    await pause(1000);
  }
} finally {
  await setup.dovecot.stop();
}
