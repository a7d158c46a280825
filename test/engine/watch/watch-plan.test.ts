import { describe, expect, it } from 'vitest';
import { planIdle } from '../../../app/main/engine/watch/watch-plan.js';

const boxes = (n: number) => ['INBOX', ...Array.from({ length: n - 1 }, (_, i) => `F${i + 1}`)];

describe('planIdle', () => {
  it('gives every mailbox its IDLE connection while one connection stays spare', () => {
    expect(planIdle(boxes(4), 5)).toEqual({ idle: boxes(4), poll: [] });
  });

  it('pushes INBOX and as many others as fit, polls the rest on one connection, keeps one spare', () => {
    const plan = planIdle(boxes(20), 5);
    expect(plan.idle).toEqual(['INBOX', 'F1', 'F2']);
    expect(plan.poll).toEqual(boxes(20).slice(3));
    expect(plan.idle.length + 1).toBe(4);
  });

  it('puts INBOX first whatever its place or case in the config', () => {
    expect(planIdle(['Work', 'Lists', 'inbox', 'Old'], 3)).toEqual({
      idle: ['inbox'],
      poll: ['Work', 'Lists', 'Old'],
    });
  });

  it('with one connection, idles a single mailbox and polls several', () => {
    expect(planIdle(['INBOX'], 1)).toEqual({ idle: ['INBOX'], poll: [] });
    expect(planIdle(['INBOX', 'Work'], 1)).toEqual({ idle: [], poll: ['INBOX', 'Work'] });
  });

  it('with two connections, idles INBOX and polls the rest, with no spare', () => {
    expect(planIdle(['INBOX', 'Work'], 2)).toEqual({ idle: ['INBOX', 'Work'], poll: [] });
    expect(planIdle(['INBOX', 'Work', 'Lists'], 2)).toEqual({
      idle: ['INBOX'],
      poll: ['Work', 'Lists'],
    });
  });
});
