import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../app/main/engine/base/loopback.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.53.0.9',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    'localhost',
    'LocalHost',
    'localhost.',
    'bridge.localhost',
  ])('takes %s for this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each([
    '10.0.0.1',
    '::2',
    '::ffff:10.0.0.1',
    'imap.example.com',
    'localhost.example.com',
    '128.0.0.1',
  ])('takes %s for another machine', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});
