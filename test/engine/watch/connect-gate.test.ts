import { describe, expect, it } from 'vitest';
import { ConnectGate, ConnectGates } from '../../../app/main/engine/imap/connect-gate.js';

describe('ConnectGate', () => {
  it('lets at most `limit` holders in, and hands each freed slot to the next in line', async () => {
    const gate = new ConnectGate(2);
    const order: string[] = [];
    const first = await gate.acquire();
    const second = await gate.acquire();
    const third = gate.acquire().then((release) => (order.push('third'), release));
    const fourth = gate.acquire().then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    first(); // releasing twice frees one slot only
    await third;
    expect(order).toEqual(['third']);
    second();
    (await fourth)();
    expect(order).toEqual(['third', 'fourth']);
  });

  it('keeps one gate per server', () => {
    const gates = new ConnectGates(4);
    expect(gates.for('IMAP.example.test', 993)).toBe(gates.for('imap.example.test', 993));
    expect(gates.for('imap.example.test', 143)).not.toBe(gates.for('imap.example.test', 993));
  });
});
