/**
 * A session over a connection `tidings watch` opened before the engine was loaded
 * (early-transport.ts, over the CLI's pool: cli/commands/early-connections.ts), against a
 * real Dovecot behind a proxy that counts connections: in the clear, with implicit TLS and
 * with STARTTLS it logs in and announces over that one connection, and the certificate is
 * checked on it as on any other (an untrusted one is refused, naming its fingerprint).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WatcherStatus } from '../../../app/common/account-status.js';
import { EarlyConnectionPool } from '../../../app/main/cli/commands/early-connections.js';
import { makeTestCertificates, type TestCertificates } from '../../support/certificates.js';
import { startDovecot, type Dovecot } from '../../support/dovecot.js';
import {
  fastLiveness,
  startEngine,
  testSettings,
  type EngineRun,
} from '../../support/engine-harness.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { waitUntil } from '../../support/manual-watcher.js';
import { buildMessage } from '../../support/messages.js';

type Tls = 'none' | 'implicit' | 'starttls';

let certs: TestCertificates;
let server: Dovecot;
const runs: EngineRun[] = [];
const proxies: FaultProxy[] = [];
const pools: EarlyConnectionPool[] = [];

beforeAll(async () => {
  certs = makeTestCertificates();
  server = await startDovecot({ ann: 'pw' }, { cert: certs.good.cert, key: certs.good.key });
});
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.supervisor.stop()));
  for (const pool of pools.splice(0)) pool.close();
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(async () => {
  await server?.stop();
});

/**
 * An engine for one account of `tls` on a counting proxy to the server, started once the
 * pool's connection to the proxy was accepted, or at once (it is still opening when taken).
 */
async function startOverEarly(
  tls: Tls,
  extra: Record<string, unknown> = {},
  when: 'accepted' | 'at once' = 'accepted',
) {
  const proxy = await startFaultProxy(tls === 'implicit' ? server.tlsPort : server.port);
  proxies.push(proxy);
  const pool = new EarlyConnectionPool([{ host: '127.0.0.1', port: proxy.port }]);
  pools.push(pool);
  if (when === 'accepted') await waitUntil(() => proxy.accepted === 1, 5_000);
  const account = {
    id: 'a',
    host: '127.0.0.1',
    port: proxy.port,
    tls,
    user: 'ann',
    password: 'pw',
    ...(tls === 'none' ? { allowInsecureAuth: true } : {}),
    ...extra,
  };
  const engine = startEngine(testSettings([account], 5, fastLiveness), undefined, {
    early: pool,
  });
  runs.push(engine);
  return { engine, proxy, pool };
}

function settled(engine: EngineRun): Promise<WatcherStatus> {
  return engine.statuses.waitFor(
    (s) => ['idle', 'tls-error', 'error', 'backoff', 'auth-failed'].includes(s.state),
    'a connection outcome',
  );
}

describe.each<Tls>(['none', 'implicit', 'starttls'])('over an early connection (%s)', (tls) => {
  it('logs in and announces new mail on that connection, opening no other', async () => {
    const trust = tls === 'none' ? {} : { caFile: certs.caFile };
    const { engine, proxy, pool } = await startOverEarly(tls, trust);
    expect((await settled(engine)).state).toBe('idle');
    expect(pool.size).toBe(0);
    await server.append('ann', 'INBOX', [buildMessage({ subject: `early ${tls}` })]);
    await engine.announcements.waitFor((a) => a.message.subject === `early ${tls}`, 'the message');
    expect(engine.announcements.items).toHaveLength(1);
    expect(proxy.accepted).toBe(1);
  });
});

describe.each<Tls>(['implicit', 'starttls'])('over an early connection (%s)', (tls) => {
  it('logs in over one still opening when the session takes it', async () => {
    const { engine, proxy, pool } = await startOverEarly(tls, { caFile: certs.caFile }, 'at once');
    expect((await settled(engine)).state).toBe('idle');
    expect(pool.size).toBe(0);
    expect(proxy.accepted).toBe(1);
  });

  it('refuses an untrusted certificate with tls-error naming its fingerprint', async () => {
    const { engine, proxy, pool } = await startOverEarly(tls);
    const outcome = await settled(engine);
    expect(outcome.state).toBe('tls-error');
    expect(outcome.detail).toContain(`SHA-256 ${certs.good.fingerprint256}`);
    // The attempt was made on the early connection; the second is the probe that reads the
    // refused certificate to name it (tls-options.ts, explainTlsFailure).
    expect(pool.size).toBe(0);
    expect(proxy.accepted).toBe(2);
  });
});
