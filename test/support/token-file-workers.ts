/**
 * Starts `token-file-worker.ts` in processes of their own (`node --import tsx`), lets them
 * start their work together, and hands back what each printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./token-file-worker.ts', import.meta.url));

/** The binding every `rotate` worker saves under. */
export const WORKER_BINDING = { tokenUrl: 'https://idp.example.test/token', clientId: 'c' };

/** A started worker. */
export interface TokenWorker {
  child: ChildProcess;
  /** Resolves when the worker printed `line` (`ready`, `locked`). */
  printed(line: string): Promise<void>;
  /** Lets it start its work. */
  go(): void;
  /** Its JSON answer; rejects if it exits without one. */
  result: Promise<Record<string, unknown>>;
}

/** Starts one worker: `args` are its mode and arguments. */
export function startTokenWorker(args: string[]): TokenWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters) waiter();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const printed = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => stdout.split('\n').includes(line) && resolve();
      waiters.push(check);
      check();
      void exited.then(() =>
        reject(new Error(`worker ${args[0]} exited before printing ${line}:\n${stderr}`)),
      );
    });
  const result = exited.then((code) => {
    const last = stdout.trim().split('\n').pop() ?? '';
    if (code !== 0 || !last.startsWith('{')) {
      throw new Error(`worker ${args.join(' ')} exited ${code}:\n${stderr}`);
    }
    return JSON.parse(last) as Record<string, unknown>;
  });
  // A worker killed by its test (`hold`) has no answer, and nobody asks for one.
  result.catch(() => {});
  return { child, printed, go: () => child.stdin?.end('go\n'), result };
}

/** Starts a worker for each of `argsList`, lets them all go at once, and awaits their answers. */
export async function runTokenWorkers(argsList: string[][]): Promise<Record<string, unknown>[]> {
  const workers = argsList.map(startTokenWorker);
  await Promise.all(workers.map((worker) => worker.printed('ready')));
  for (const worker of workers) worker.go();
  return Promise.all(workers.map((worker) => worker.result));
}
