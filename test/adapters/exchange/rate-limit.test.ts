import { GroupPacer, parseRemainingReq } from '#adapters/exchange/rate-limit';

describe('Remaining-Req pacing', () => {
  it('reads the group and the requests left in this second', () => {
    expect(parseRemainingReq('group=order; min=1800; sec=7')).toEqual({ group: 'order', sec: 7 });
    expect(parseRemainingReq('group=default;min=1800;sec=0')).toEqual({ group: 'default', sec: 0 });
    expect(parseRemainingReq('min=1800; sec=7')).toBeUndefined();
    expect(parseRemainingReq(null)).toBeUndefined();
  });

  it('waits for the next window when the group has nothing left, and only then', async () => {
    let now = 1_000;
    const slept: number[] = [];
    const pacer = new GroupPacer({
      windowMs: 1000,
      now: () => now,
      sleep: async (ms) => void (slept.push(ms), (now += ms)),
    });
    pacer.observe('POST /v1/orders', 'group=order; min=1800; sec=1');
    expect(pacer.groupFor('POST /v1/orders', 'guess')).toBe('order');
    await pacer.acquire('order'); // one left: goes at once
    expect(slept).toEqual([]);
    await pacer.acquire('order'); // none left: waits out the window
    expect(slept).toEqual([1000]);
    await pacer.acquire('default'); // other groups are not held up
    expect(slept).toEqual([1000]);
  });
});
