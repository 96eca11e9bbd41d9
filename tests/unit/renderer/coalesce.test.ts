import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../renderer/src/lib/coalesce';

describe('coalesce', () => {
  it('runs a burst of calls as one run plus one follow-up, and every caller sees the follow-up finish', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const reload = coalesce(async () => {
      runs += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = reload();
    const burst = [reload(), reload(), reload()];
    expect(runs).toBe(1);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runs).toBe(2);
    release();
    await Promise.all([first, ...burst]);
    expect(runs).toBe(2);

    const later = reload();
    expect(runs).toBe(3);
    release();
    await later;
  });

  it('recovers after a failing run', async () => {
    let fail = true;
    const reload = coalesce(async () => {
      if (fail) throw new Error('offline');
    });
    await expect(reload()).rejects.toThrow('offline');
    fail = false;
    await expect(reload()).resolves.toBeUndefined();
  });
});
