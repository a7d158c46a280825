/**
 * The GitHub workflows cannot run from our build machines (GitHub is out of reach), so what
 * can be checked here is: each file is valid against GitHub's workflow schema (action-validator,
 * with a broken copy as its control), every action is pinned by a full commit SHA, every npm
 * script a step runs exists, the Node versions are the README's, and the secrets the release
 * reads are the ones the README explains. That the workflow has never run is said in the README.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.join(import.meta.dirname, '..', '..');
const workflowsDir = path.join(root, '.github', 'workflows');
const validator = path.join(root, 'node_modules', '.bin', 'action-validator');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const releasesDoc = readFileSync(path.join(root, 'docs', 'releases-and-updates.md'), 'utf8');
const files = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>;
}

const workflow = (name: string): Workflow =>
  parse(readFileSync(path.join(workflowsDir, name), 'utf8')) as Workflow;
const steps = (flow: Workflow) => Object.values(flow.jobs).flatMap((job) => job.steps);

async function validate(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(validator, [file], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('.github/workflows', () => {
  it('has the CI and release workflow', () => {
    expect(files).toContain('ci.yml');
  });

  it.each(files)('%s is valid against GitHub’s workflow schema', async (name) => {
    const result = await validate(path.join(workflowsDir, name));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('the validator refuses a workflow with a misspelt key (its control)', async () => {
    const broken = path.join(mkdtempSync(path.join(tmpdir(), 'tidings-wf-')), 'broken.yml');
    const text = readFileSync(path.join(workflowsDir, 'ci.yml'), 'utf8');
    writeFileSync(broken, text.replace('    steps:\n', '    stepz:\n'));
    const result = await validate(broken);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/stepz|steps/);
  });

  it.each(files)('%s pins every action by a full commit SHA', (name) => {
    const uses = steps(workflow(name)).flatMap((step) => (step.uses ? [step.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it.each(files)('%s runs only npm scripts package.json has', (name) => {
    const runs = steps(workflow(name)).flatMap((step) => (step.run ? [step.run] : []));
    const scripts = runs.flatMap((run) =>
      [...run.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]),
    );
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(Object.keys(pkg.scripts)).toContain(script);
    // `npm test` and `npm ci` are npm's own; `npm test` needs the script too.
    if (runs.some((run) => /\bnpm test\b/.test(run))) expect(pkg.scripts.test).toBeDefined();
  });

  it('uses the Node versions the README and package.json state', () => {
    const env = workflow('ci.yml').env ?? {};
    const desktop = /Install and start the desktop app \(Node\.js ≥ (\d+)\.(\d+)/.exec(readme);
    const cli = /which needs only Node\.js ≥ (\d+\.\d+)/.exec(readme);
    expect(desktop, 'the README states the desktop app’s Node version').not.toBeNull();
    expect(cli, 'the README states the CLI’s Node version').not.toBeNull();
    // The newest release of the README's major line, which is past its minimum.
    expect(env.DESKTOP_NODE_VERSION).toBe(desktop?.[1]);
    expect(env.CLI_NODE_VERSION).toBe(cli?.[1]);
    expect(pkg.engines.node).toBe(`>=${cli?.[1]}`);
  });

  it('reads exactly the signing secrets docs/releases-and-updates.md explains, and no token of its own for npm', () => {
    const text = readFileSync(path.join(workflowsDir, 'ci.yml'), 'utf8');
    const secrets = new Set([...text.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]));
    expect([...secrets].sort()).toEqual(
      [
        'APPLE_APP_SPECIFIC_PASSWORD',
        'APPLE_ID',
        'APPLE_TEAM_ID',
        'CSC_KEY_PASSWORD',
        'CSC_LINK',
        'GITHUB_TOKEN',
      ].sort(),
    );
    for (const secret of secrets) {
      if (secret !== 'GITHUB_TOKEN') expect(releasesDoc).toContain(`\`${secret}\``);
    }
  });

  it('runs the end-to-end suite on every OS and the full suite on Linux', () => {
    const flow = workflow('ci.yml');
    const desktop = flow.jobs.desktop as unknown as { strategy: { matrix: { os: string[] } } };
    expect(desktop.strategy.matrix.os.sort()).toEqual(
      ['macos-latest', 'ubuntu-latest', 'windows-latest'].sort(),
    );
    const runs = (job: string) => (flow.jobs[job]?.steps ?? []).map((step) => step.run ?? '');
    expect(runs('desktop').join('\n')).toMatch(/npm run test:e2e/);
    expect(runs('desktop').join('\n')).toMatch(/npm run test:unit/);
    expect(runs('linux-full').join('\n')).toMatch(/npm test/);
    expect(runs('release').join('\n')).toMatch(/npm run dist -- --publish always/);
  });
});
