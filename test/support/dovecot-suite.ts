/** The lifecycle most Dovecot-backed test files share. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startDovecot, type Dovecot, type DovecotOptions } from './dovecot.js';

/**
 * Starts one Dovecot for the file (handed to `onStart`), runs the cleanups a test registered
 * after it (last registered first), and stops Dovecot after the file.
 */
export function useDovecotSuite(
  onStart: (dovecot: Dovecot) => void,
  options: DovecotOptions = {},
): {
  cleanups: Array<() => Promise<unknown>>;
} {
  let dovecot: Dovecot | undefined;
  const cleanups: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    dovecot = await startDovecot({}, undefined, options);
    onStart(dovecot);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });
  return { cleanups };
}
