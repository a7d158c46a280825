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

  it('keeps one gate per server and user', () => {
    const gates = new ConnectGates(4);
    const ann = gates.for('imap.example.test', 993, 'ann');
    expect(gates.for('IMAP.example.test', 993, 'ann')).toBe(ann);
    expect(gates.for('imap.example.test', 143, 'ann')).not.toBe(ann);
    // Another account on the same server is another user: it does not queue behind ann.
    expect(gates.for('imap.example.test', 993, 'bob')).not.toBe(ann);
  });

  it('lets another user of the same server in while one user fills their gate', async () => {
    const gates = new ConnectGates(1);
    const entered: string[] = [];
    const enter = (user: string) =>
      gates
        .for('imap.example.test', 993, user)
        .acquire()
        .then((release) => (entered.push(user), release));
    const ann = await enter('ann');
    void enter('ann');
    void enter('bob');
    await new Promise(setImmediate);
    expect(entered).toEqual(['ann', 'bob']);
    ann();
    await new Promise(setImmediate);
    expect(entered).toEqual(['ann', 'bob', 'ann']);
  });
});
