/**
 * Which build this is: package.json's version and the commit it was built from. From the
 * sources (tests, tsx) the commit is unknown; `npm run build` replaces the compiled file
 * (scripts/write-build-info.mjs) with both, read at build time. See `describeVersion`.
 */
import { createRequire } from 'node:module';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const buildVersion: { version: string; commit: string } = { version, commit: 'unknown' };
