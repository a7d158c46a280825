/**
 * Issue 22: a config file, however broken, is refused with one line per problem that names
 * the field (or says what is wrong with the file as a whole): never a crash, a stack trace or
 * a password echoed back; a valid one loads. Random JSON, configs one change away from valid,
 * and corrupted text, through `loadConfig`, `loadConfigResolved` and `tidings watch` itself.
 * `npm run fuzz` runs thousands of each (TIDINGS_FUZZ_SEEDS); test/support/fuzz.ts says how to
 * replay a failure.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountFieldsSchema,
  hookSettingsSchema,
  livenessSettingsSchema,
  notificationSettingsSchema,
  oauth2SettingsSchema,
  quietPeriodSchema,
  settingsSchema,
} from '../../../app/common/settings-schema.js';
import { ConfigError } from '../../../app/main/cli/config/config-error.js';
import { loadConfig, loadConfigResolved } from '../../../app/main/cli/config/load-config.js';
import type { ResolvedAccount } from '../../../app/main/engine/setup/index.js';
import {
  expectNoPollution,
  fuzzParameters,
  fuzzRuns,
  fuzzTimeout,
  UNPRINTABLE,
} from '../../support/fuzz.js';
import {
  mutations,
  prototypeKeys,
  toJsonText,
  type DocumentShape,
  type JsonPath,
  type Mutated,
} from '../../support/json-mutations.js';
import { runCli } from '../../support/run-cli.js';
import { configFile, fuzzEnv, secretsIn } from '../../support/settings-arbitraries.js';

const RUNS = fuzzRuns(300);
// Each run of the CLI is a Node process: a handful in `npm test`, one in a hundred fuzz seeds.
const CLI_RUNS = fuzzRuns(6, 0.01);

const dir = mkdtempSync(path.join(tmpdir(), 'tidings-config-fuzz-'));
let written = 0;

/** Writes `text` to a real file, as a user's config is. */
function writeConfig(text: string): string {
  const file = path.join(dir, `config-${written++ % 16}.json`);
  writeFileSync(file, text);
  return file;
}

const knownKeys = new Set(
  [
    settingsSchema,
    accountFieldsSchema,
    oauth2SettingsSchema,
    notificationSettingsSchema,
    quietPeriodSchema,
    livenessSettingsSchema,
    hookSettingsSchema,
  ].flatMap((schema) => Object.keys(schema.shape)),
);

const HOOKS = new Set(['onNewMail', 'onNewMailPost']);

/** What a config file must have, and where a hook (a string or argv words) is named. */
const fileShape: DocumentShape = {
  knownKeys,
  target: 'file',
  required(at, object) {
    if (at.length === 0) return [['accounts']];
    if (at.length === 2 && at[0] === 'accounts') {
      return [['id'], ['host'], ['user'], ['password', 'passwordEnv', 'passwordCommand']];
    }
    if (at.at(-1) === 'oauth2') {
      const custom = object.provider === 'custom';
      return [['provider'], ...(custom ? [['authorizationUrl'], ['tokenUrl'], ['scope']] : [])];
    }
    if (at[1] === 'quietHours' && at.length === 3) return [['days'], ['from'], ['to']];
    return [];
  },
  namedAt(at) {
    const hook = at.findIndex((part) => typeof part === 'string' && HOOKS.has(part));
    return hook === -1 ? at : at.slice(0, hook + 1);
  },
};

// A problem names a field ("accounts[0].port: …", "(top level): …") or the file itself.
const FIELD_LINE = /^(\(top level\)|[A-Za-z]\w*(?:\[\d+\]|\.[A-Za-z]\w*)*): \S/;
const FILE_LINE =
  /^(not valid JSON: (line \d+, column \d+|unexpected end of the file)|cannot read the file \(\w+\))$/;
/** The longest problem line: a long value is cut, never echoed whole. */
const MAX_LINE = 1000;

/** "accounts[0].port" for ['accounts', 0, 'port'], as the README writes fields. */
function fieldName(at: JsonPath): string {
  const name = at
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${part}`))
    .join('');
  return name || '(top level)';
}

/** The field a problem line names, or undefined for a problem with the file itself. */
function fieldOf(line: string): string | undefined {
  return FIELD_LINE.exec(line)?.[1];
}

/** Whether `line` names the field at `at` or one inside it. */
function names(line: string, at: JsonPath): boolean {
  const field = fieldOf(line);
  const wanted = fieldName(at);
  if (field === undefined) return false;
  if (at.length === 0) return field === wanted;
  return field === wanted || field.startsWith(`${wanted}.`) || field.startsWith(`${wanted}[`);
}

/** How loading a file ended: loaded, or refused with these problems and this message. */
type Outcome = { ok: true } | { ok: false; problems: readonly string[]; message: string };

/** Loads `text` from a file; any error but a `ConfigError` fails the property. */
function load(text: string): Outcome {
  try {
    loadConfig(writeConfig(text), fuzzEnv);
    return { ok: true };
  } catch (error) {
    if (error instanceof ConfigError) return refusal(error);
    throw error;
  }
}

function refusal(error: ConfigError): Outcome {
  return { ok: false, problems: error.problems, message: error.message };
}

/** Every problem on one printable line that names its field or the file; no stack, no secret. */
function expectWellFormed(
  problems: readonly string[],
  message: string,
  secrets: readonly string[],
): void {
  expect(problems.length).toBeGreaterThan(0);
  for (const line of problems) {
    expect(fieldOf(line) !== undefined || FILE_LINE.test(line), line).toBe(true);
    expect(line, 'a raw control character').not.toMatch(UNPRINTABLE);
    expect(line.length).toBeLessThanOrEqual(MAX_LINE);
  }
  expect(message).not.toMatch(/^\s+at /m);
  for (const secret of secrets) expect(message).not.toContain(secret);
}

/** Expects `mutated`'s outcome: refused naming its field when it must be; well-formed always. */
function expectRefusal(outcome: Outcome, mutated: Mutated, secrets: readonly string[]): void {
  if (outcome.ok) {
    expect(mutated.mustRefuse, `${mutated.kind} at ${fieldName(mutated.path)} loaded`).toBe(false);
    return;
  }
  expectWellFormed(outcome.problems, outcome.message, secrets);
  if (!mutated.mustRefuse) return;
  const naming = outcome.problems.filter((line) => names(line, mutated.path));
  expect(naming, `${mutated.kind}: no line names ${fieldName(mutated.path)}`).not.toEqual([]);
}

const nearValid = configFile.chain((config) =>
  mutations(config, fileShape).map((mutated) => ({ config, mutated })),
);

// Random JSON shaped like a config: the keys the schema knows, prototype keys and others,
// with values of any type.
const key = fc.oneof(fc.constantFrom(...knownKeys, ...prototypeKeys), fc.string({ maxLength: 8 }));
const configish = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      accounts: fc.oneof(
        fc.array(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 12 })),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      notifications: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
      liveness: fc.dictionary(key, fc.jsonValue({ maxDepth: 1 })),
      hooks: fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  ),
);

describe('a config file, fuzzed', () => {
  it(`loads ${RUNS} valid configs`, { timeout: fuzzTimeout(RUNS, 20) }, () => {
    fc.assert(
      fc.property(configFile, (config) => {
        const settings = loadConfig(writeConfig(toJsonText(config)), fuzzEnv);
        expect(settings.accounts.map((account) => account.id)).toEqual(
          config.accounts.map((account) => account.id),
        );
        // What loading made is a valid config itself, unchanged by a second reading.
        expect(settingsSchema.parse(settings)).toEqual(settings);
      }),
      fuzzParameters(RUNS),
    );
  });

  it(
    `refuses ${RUNS} random JSON documents with each problem naming its field`,
    { timeout: fuzzTimeout(RUNS, 10) },
    () => {
      fc.assert(
        fc.property(configish, (json) => {
          const outcome = load(JSON.stringify(json));
          if (!outcome.ok) expectWellFormed(outcome.problems, outcome.message, []);
          expectNoPollution();
        }),
        fuzzParameters(RUNS),
      );
    },
  );

  it(
    `refuses ${RUNS} configs one change away from valid, naming the field changed`,
    { timeout: fuzzTimeout(RUNS, 40) },
    () => {
      fc.assert(
        fc.property(nearValid, ({ config, mutated }) => {
          const outcome = load(toJsonText(mutated.document));
          expectRefusal(outcome, mutated, secretsIn(config));
          expectNoPollution();
        }),
        fuzzParameters(RUNS),
      );
    },
  );

  it(
    `says where ${RUNS} corrupted files stop being JSON, quoting none of it`,
    { timeout: fuzzTimeout(RUNS, 20) },
    () => {
      const damage = fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        how: fc.constantFrom('cut', 'insert', 'delete'),
        inserted: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 3 }),
      });
      fc.assert(
        fc.property(configFile, damage, (config, { at, how, inserted }) => {
          const text = JSON.stringify(config, null, 2);
          const i = Math.floor(at * text.length);
          const broken =
            how === 'cut'
              ? text.slice(0, i)
              : how === 'insert'
                ? `${text.slice(0, i)}${inserted}${text.slice(i)}`
                : `${text.slice(0, i)}${text.slice(i + 1)}`;
          const outcome = load(broken);
          if (outcome.ok) return;
          expectWellFormed(outcome.problems, outcome.message, secretsIn(config));
          const where = /line (\d+), column (\d+)/.exec(outcome.problems[0] ?? '');
          if (where) {
            const lines = broken.split('\n');
            expect(Number(where[1])).toBeLessThanOrEqual(lines.length);
            expect(Number(where[2])).toBeLessThanOrEqual(
              (lines[Number(where[1]) - 1]?.length ?? 0) + 1,
            );
          }
        }),
        fuzzParameters(RUNS),
      );
    },
  );

  it(`refuses ${RUNS} files of random text`, { timeout: fuzzTimeout(RUNS, 10) }, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const outcome = load(text);
        if (!outcome.ok) expectWellFormed(outcome.problems, outcome.message, []);
      }),
      fuzzParameters(RUNS),
    );
  });

  it(
    `refuses ${RUNS} broken configs with address-only accounts, whatever the lookup answers`,
    { timeout: fuzzTimeout(RUNS, 40) },
    async () => {
      // Accounts given by address alone, looked up by a resolver that finds nothing, fails,
      // or answers (the answer is the engine's, so it is well-formed).
      const addressOnly = configFile.map((config) => ({
        ...config,
        accounts: config.accounts.map((account) => {
          if (account.email === undefined) return account;
          const { host: _h, port: _p, tls: _t, ...rest } = account;
          return rest;
        }),
      }));
      const found: ResolvedAccount = {
        source: 'autoconfig',
        sourceLabel: 'From a fuzz test',
        host: 'imap.example.test',
        port: 993,
        tls: 'implicit',
        auth: 'password',
      };
      const answer = fc.constantFrom('nothing', 'failure', 'found');
      const documents = fc.oneof(
        configish.map((json) => ({ document: json as unknown, secrets: [] as string[] })),
        addressOnly.chain((config) =>
          fc.oneof(
            fc.constant({ document: config as unknown, secrets: secretsIn(config) }),
            mutations(config, fileShape).map((m) => ({
              document: m.document,
              secrets: secretsIn(config),
            })),
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(documents, answer, async ({ document, secrets }, says) => {
          const resolve = async () => {
            if (says === 'failure') throw new Error('lookup failed\n    at resolve (x.js:1:1)');
            return says === 'found' ? found : null;
          };
          const file = writeConfig(toJsonText(document));
          try {
            await loadConfigResolved(file, fuzzEnv, {}, { resolve, report: () => {} });
          } catch (error) {
            if (!(error instanceof ConfigError)) throw error;
            expectWellFormed(error.problems, error.message, secrets);
          }
          expectNoPollution();
        }),
        fuzzParameters(RUNS),
      );
    },
  );
});

describe('tidings watch, given a broken config', () => {
  it(
    `exits 2 naming the field, without a stack trace, for ${CLI_RUNS} generated configs`,
    { timeout: fuzzTimeout(CLI_RUNS, 2_000) },
    async () => {
      const stateDir = mkdtempSync(path.join(tmpdir(), 'tidings-config-fuzz-state-'));
      // A removed host would send an address-only account to DNS: not from a test.
      const refused = nearValid.filter(
        ({ mutated }) =>
          mutated.mustRefuse && !(mutated.kind === 'missing' && mutated.path.at(-1) === 'host'),
      );
      await fc.assert(
        fc.asyncProperty(refused, async ({ config, mutated }) => {
          const file = writeConfig(toJsonText(mutated.document));
          const args = ['watch', '--config', file, '--state-dir', stateDir, '--no-desktop'];
          const run = await runCli(args, fuzzEnv);
          expect(run.code, run.stderr).toBe(2);
          expect(run.stdout).toBe('');
          const [first, ...problems] = run.stderr.trimEnd().split('\n');
          expect(first).toBe(`tidings: ${file}: invalid configuration`);
          expect(run.stderr).not.toMatch(/^\s+at /m);
          const lines = problems.map((line) => line.replace(/^ {2}/, ''));
          expectRefusal(
            { ok: false, problems: lines, message: run.stderr },
            mutated,
            secretsIn(config),
          );
        }),
        fuzzParameters(CLI_RUNS),
      );
    },
  );
});
