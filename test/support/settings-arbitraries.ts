/**
 * fast-check arbitraries for settings that are valid by the README's contract: a whole
 * `tidings watch` config file, and the settings window's requests (an account as the form
 * sends it, preferences, an address to look up). Written from the documented rules, not from
 * the zod schemas, so the fuzz suites test the schemas against them. Every password and client
 * secret starts with `SECRET_MARK`, so a suite can tell that none is ever echoed.
 */
import fc from 'fast-check';

/** How every generated password and client secret begins. */
export const SECRET_MARK = 'Pw-';
/** The environment a generated config expects (its passwordEnv and refreshTokenEnv). */
export const fuzzEnv = { TIDINGS_FUZZ_PASSWORD: `${SECRET_MARK}env`, TIDINGS_FUZZ_TOKEN: 'rt' };

/** A string of `min`–`max` UTF-16 code units: ASCII, or any code point (controls too). */
function text(min: number, max: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ unit: 'binary', minLength: min, maxLength: Math.floor(max / 2) }),
  );
}

/** A password or client secret: `SECRET_MARK`, twelve letters or digits, then anything. */
export const secret = fc
  .tuple(fc.stringMatching(/^[A-Za-z0-9]{12}$/), text(0, 400))
  .map(([mark, rest]) => `${SECRET_MARK}${mark}${rest}`);

const accountId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

const host = fc.oneof(
  fc.domain().filter((name) => name.length <= 255),
  fc.ipV4(),
  fc.ipV6(),
  fc.constantFrom('localhost', 'imap.bücher.de', 'imap.example.test.', 'mail_1.example.test'),
);

const httpsUrl = fc.domain().map((domain) => `https://${domain}/`);
const providerUrl = fc.oneof(
  httpsUrl,
  fc.integer({ min: 1, max: 65535 }).map((port) => `http://127.0.0.1:${port}/token`),
);

const fingerprint = fc
  .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), fc.boolean())
  .map(([bytes, colons, upper]) => {
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(colons ? ':' : '');
    return upper ? hex.toUpperCase() : hex;
  });

/** A command for new mail: a shell line, or argv words. */
export const hookCommand = fc.oneof(
  fc.stringMatching(/^[a-z][ -~]{0,40}$/),
  fc.array(text(1, 40), { minLength: 1, maxLength: 4 }),
);

const mailboxName = fc.oneof(fc.constantFrom('INBOX', 'Lists/rust', 'Ünïcode'), text(1, 80));
const mailboxes = fc
  .uniqueArray(mailboxName, { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc.record(
      { mailboxes: fc.constant(names), quietMailboxes: fc.subarray(names) },
      { requiredKeys: ['mailboxes'] },
    ),
  );

const server = fc
  .record(
    {
      id: accountId,
      name: text(1, 100),
      host,
      port: fc.integer({ min: 1, max: 65535 }),
      tls: fc.constantFrom('implicit', 'starttls', 'none'),
      user: text(1, 320),
      email: fc.emailAddress().filter((email) => email.length <= 320),
      maxConnections: fc.integer({ min: 1, max: 100 }),
      allowInsecureAuth: fc.boolean(),
      caFile: text(1, 200),
      certificateFingerprint: fingerprint,
      openUrl: httpsUrl,
      popups: fc.boolean(),
      watchMode: fc.constantFrom('auto', 'notify', 'idle'),
      pollSeconds: fc.integer({ min: 5, max: 3600 }),
    },
    { requiredKeys: ['id', 'host', 'user'] },
  )
  // Without TLS the password goes in clear text: only with allowInsecureAuth, and no CA or pin.
  .map(({ caFile, certificateFingerprint, ...account }) =>
    account.tls === 'none'
      ? { ...account, allowInsecureAuth: true }
      : {
          ...account,
          ...(caFile !== undefined ? { caFile } : {}),
          ...(certificateFingerprint !== undefined ? { certificateFingerprint } : {}),
        },
  );

const oauth2Client = fc.oneof(
  fc.record(
    {
      provider: fc.constantFrom('google', 'microsoft'),
      clientId: text(1, 100),
      clientSecret: secret,
    },
    { requiredKeys: ['provider', 'clientId'] },
  ),
  fc.record(
    {
      provider: fc.constant('custom'),
      clientId: text(1, 100),
      clientSecret: secret,
      authorizationUrl: providerUrl,
      tokenUrl: providerUrl,
      scope: text(1, 100),
    },
    { requiredKeys: ['provider', 'clientId', 'authorizationUrl', 'tokenUrl', 'scope'] },
  ),
);

// Headless: exactly one password source, or OAuth2 with a client and one token source.
const fileSignIn = fc.oneof(
  secret.map((password) => ({ password })),
  fc.constant({ passwordEnv: 'TIDINGS_FUZZ_PASSWORD' }),
  fc.stringMatching(/^[a-z][ -~]{0,40}$/).map((passwordCommand) => ({ passwordCommand })),
  fc
    .tuple(
      oauth2Client,
      fc.constantFrom(
        { refreshTokenEnv: 'TIDINGS_FUZZ_TOKEN' },
        { refreshTokenCommand: 'pass show token' },
        { accessTokenCommand: 'oama access ann' },
        {},
      ),
    )
    .map(([oauth2, source]) => ({ auth: 'oauth2', oauth2, ...source })),
);

// The window: a new password (possibly none, to keep the stored one), or OAuth2's client.
const windowSignIn = fc.oneof(
  fc.record({ password: fc.oneof(secret, fc.constant('')) }, { requiredKeys: [] }),
  oauth2Client.map((oauth2) => ({ auth: 'oauth2', oauth2 })),
);

/** One account of a config file, with its hooks. */
export const fileAccount = fc
  .tuple(
    server,
    mailboxes,
    fileSignIn,
    fc.record({ onNewMail: hookCommand, onNewMailPost: hookCommand }, { requiredKeys: [] }),
  )
  .map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);

/** One account as the settings form sends it. */
export const windowAccount = fc
  .tuple(server, mailboxes, windowSignIn)
  .map((parts) => Object.assign({}, ...parts) as Record<string, unknown>);

const timeOfDay = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);

const quietPeriod = fc
  .tuple(timeOfDay, timeOfDay)
  .filter(([from, to]) => from !== to)
  .chain(([from, to]) =>
    fc.record({
      days: fc.uniqueArray(fc.constantFrom('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'), {
        minLength: 1,
        maxLength: 7,
      }),
      from: fc.constant(from),
      to: fc.constant(to),
    }),
  );

const sender = fc.oneof(
  fc.emailAddress().filter((email) => email.length <= 320),
  fc.domain(),
  fc.domain().map((domain) => `@${domain}`),
);

/** Notification preferences, each field optional (its default then applies). */
export const notifications = fc.record(
  {
    burstThreshold: fc.integer({ min: 1, max: 1000 }),
    sound: fc.boolean(),
    showSubject: fc.boolean(),
    preview: fc.boolean(),
    quietHours: fc.array(quietPeriod, { maxLength: 3 }),
    vip: fc.array(sender, { maxLength: 3 }),
    muteSenders: fc.array(sender, { maxLength: 3 }),
    muteLists: fc.array(
      fc.domain().map((domain) => `<list.${domain}>`),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: [] },
);

const liveness = fc.record(
  {
    heartbeatSeconds: fc.double({ min: 1, max: 1740, noNaN: true }),
    commandTimeoutSeconds: fc.double({ min: 0.5, max: 300, noNaN: true }),
    maxBackoffSeconds: fc.double({ min: 1, max: 3600, noNaN: true }),
  },
  { requiredKeys: [] },
);

const hooks = fc.record(
  {
    onNewMail: hookCommand,
    onNewMailPost: hookCommand,
    timeoutSeconds: fc.double({ min: 1, max: 3600, noNaN: true }),
    settleSeconds: fc.double({ min: 0, max: 600, noNaN: true }),
  },
  { requiredKeys: [] },
);

/** A whole config file: one to three accounts with distinct ids, and the optional sections. */
export const configFile = fc.record(
  {
    accounts: fc.uniqueArray(fileAccount, {
      minLength: 1,
      maxLength: 3,
      selector: (account) => account.id,
    }),
    notifications,
    liveness,
    hooks,
  },
  { requiredKeys: ['accounts'] },
);

/** `account:save` and `account:test`: an account, and the id it had before an edit. */
export const accountInput = fc.record(
  { originalId: accountId, account: windowAccount },
  { requiredKeys: ['account'] },
);

/** `account:sign-in`: an OAuth2 account. */
export const signInInput = fc
  .tuple(fc.option(accountId, { nil: undefined }), server, mailboxes, oauth2Client)
  .map(([originalId, fields, boxes, oauth2]) => ({
    ...(originalId !== undefined ? { originalId } : {}),
    account: { ...fields, ...boxes, auth: 'oauth2', oauth2 },
  }));

/** `preferences:save`. */
export const preferencesInput = fc.record({
  notifications,
  startAtLogin: fc.boolean(),
  checkForUpdates: fc.boolean(),
  tray: fc.record({ countInIcon: fc.boolean(), count: fc.constantFrom('new', 'unread') }),
});

/** `account:autoconfigure`: an address shaped as one. */
export const autoconfigureInput = fc.record({
  email: fc.emailAddress().filter((email) => email.length <= 320),
});

/** `account:remove`. */
export const accountIdInput = fc.record({ id: accountId });

/** Every generated password and client secret in `value` (or those under `keys`), to look for. */
export function secretsIn(
  value: unknown,
  keys: readonly string[] = ['password', 'clientSecret'],
): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => secretsIn(item, keys));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    keys.includes(key) && typeof inner === 'string'
      ? inner.startsWith(SECRET_MARK)
        ? [inner.slice(0, SECRET_MARK.length + 12)]
        : []
      : secretsIn(inner, keys),
  );
}
