import fc from 'fast-check';
import { Decimal, decimal, sum, ZERO } from '#domain/money';
import {
  InvalidDeskAllocationError,
  allocateOrder,
  deskOffer,
  splitAmount,
  splitSlice,
  type DeskParticipant,
  type Offer,
} from '#domain/desk-allocation';

const LOT = decimal('0.00000001');
const q = (s: string) => decimal(s);
const p = (caseId: string, leftToSell: string, over: Partial<DeskParticipant> = {}): DeskParticipant => ({
  caseId,
  leftToSell: q(leftToSell),
  active: true,
  ...over,
});
const text = (m: Map<string, Decimal>) => Object.fromEntries([...m].map(([k, v]) => [k, v.toFixed()]));

describe('splitSlice', () => {
  it('offers pro rata to what each case still needs to sell, exact to the lot, remainder by largest fraction then case id', () => {
    // 1 coin over needs 1 : 1 : 1 → 0.33333333 each and 0.00000001 left; fractions tie, so case id: a.
    const split = splitSlice({
      quantity: q('1'),
      limitPrice: q('100'),
      lotSize: LOT,
      participants: [p('c', '1'), p('b', '1'), p('a', '1')],
    });
    expect(split.offers.map((o) => `${o.caseId} ${o.quantity.toFixed()}`)).toEqual([
      'c 0.33333333',
      'b 0.33333333',
      'a 0.33333334',
    ]);
    expect(split.quantity.toFixed()).toBe('1');
  });

  it('leaves out held or paid cases and cases whose floor is above the limit price; cuts the slice to what is needed', () => {
    const split = splitSlice({
      quantity: q('10'),
      limitPrice: q('100'),
      lotSize: LOT,
      participants: [
        p('held', '5', { active: false }),
        p('floor-above', '5', { floorPrice: q('101') }),
        p('floor-at', '0.5', { floorPrice: q('100') }),
        p('free', '1.5'),
      ],
    });
    expect(split.offers.map((o) => `${o.caseId} ${o.quantity.toFixed()}`)).toEqual(['floor-at 0.5', 'free 1.5']);
    expect(split.quantity.toFixed()).toBe('2');
  });

  it('a case with less than one exchange minimum left takes its whole rest first; the others share the rest of the slice pro rata', () => {
    // At ₩30M a coin the ₩5,000 minimum is 0.00016667: a case with 0.00010183 left could never sell it alone.
    const participants = [p('big', '0.05'), p('tail', '0.00010183')];
    const slice = { quantity: q('0.001'), limitPrice: q('30000000'), lotSize: LOT, participants };
    const split = splitSlice({ ...slice, minimumQuantity: q('0.00016667') });
    expect(split.offers.map((o) => `${o.caseId} ${o.quantity.toFixed()}`)).toEqual([
      'big 0.00089817',
      'tail 0.00010183',
    ]);
    expect(split.quantity.toFixed()).toBe('0.001');
    // Without a minimum, pro rata: the tail keeps almost all of its dust.
    expect(
      splitSlice(slice)
        .offers.find((o) => o.caseId === 'tail')
        ?.quantity.toFixed(),
    ).toBe('0.00000203');
    // Tails that the slice cannot hold together share it pro rata with the others, as without a minimum.
    const crowded = splitSlice({ ...slice, quantity: q('0.0001'), minimumQuantity: q('0.00016667') });
    expect(crowded.quantity.toFixed()).toBe('0.0001');
    expect(crowded.offers.find((o) => o.caseId === 'tail')?.quantity.toFixed()).toBe('0.0000002');
  });

  it('refuses a case listed twice', () => {
    expect(() =>
      splitSlice({ quantity: q('1'), limitPrice: q('1'), lotSize: LOT, participants: [p('a', '1'), p('a', '2')] }),
    ).toThrow(InvalidDeskAllocationError);
  });
});

describe('allocateOrder', () => {
  const offers: Offer[] = [
    { caseId: 'a', quantity: q('0.3') },
    { caseId: 'b', quantity: q('0.1'), floorPrice: q('4000000') },
  ];

  it('gives each case its share of every trade with the price, and splits gross and fee exactly to the won', () => {
    // Trade 1: 0.2 at 4,001,000 → a 0.15, b 0.05. Trade 2: 0.1 at 4,000,000 → unfilled a 0.15, b 0.05 → a 0.075, b 0.025.
    // Gross 800,200 + 400,000 = 1,200,200; a: 600,150 + 300,000 = 900,150; b: 200,050 + 100,000 = 300,050.
    // Fee 600 (whole won) by gross: a 450.005 → 450, b 149.995 → 149; the won left goes to the larger fraction: b.
    const fills = allocateOrder({
      lotSize: LOT,
      offers,
      execution: {
        trades: [
          { price: q('4001000'), quantity: q('0.2') },
          { price: q('4000000'), quantity: q('0.1') },
        ],
        grossKrw: q('1200200'),
        feeKrw: q('600'),
      },
    });
    expect(
      fills.map((f) => [
        f.caseId,
        f.quantity.toFixed(),
        f.grossKrw.toFixed(),
        f.feeKrw.toFixed(),
        f.trades.map((t) => `${t.quantity.toFixed()}@${t.price.toFixed()}`).join(' '),
      ]),
    ).toEqual([
      ['a', '0.225', '900150', '450', '0.15@4001000 0.075@4000000'],
      ['b', '0.075', '300050', '150', '0.05@4001000 0.025@4000000'],
    ]);
  });

  it('never gives a case a trade below its floor: the others take it, or the allocation is refused', () => {
    const fills = allocateOrder({
      lotSize: LOT,
      offers,
      execution: { trades: [{ price: q('3999000'), quantity: q('0.2') }], grossKrw: q('799800'), feeKrw: q('0') },
    });
    expect(fills.map((f) => [f.caseId, f.quantity.toFixed()])).toEqual([['a', '0.2']]);
    expect(() =>
      allocateOrder({
        lotSize: LOT,
        offers,
        execution: { trades: [{ price: q('3999000'), quantity: q('0.35') }], grossKrw: q('1399650'), feeKrw: q('0') },
      }),
    ).toThrow(/exceeds what the cases allowed/);
  });

  it('refuses an execution larger than the offers', () => {
    expect(() =>
      allocateOrder({
        lotSize: LOT,
        offers,
        execution: { trades: [{ price: q('4100000'), quantity: q('0.5') }], grossKrw: q('2050000'), feeKrw: q('1025') },
      }),
    ).toThrow(InvalidDeskAllocationError);
  });
});

describe('splitAmount', () => {
  it('splits to the amount’s own last decimal place', () => {
    expect(
      text(
        splitAmount(q('10.5'), [
          { id: 'x', weight: q('1') },
          { id: 'y', weight: q('1') },
        ]),
      ),
    ).toEqual({ x: '5.3', y: '5.2' });
  });
});

// Arbitraries: up to 8 cases, quantities in lots, 1-4 trades at prices around 1,000,000.
const lots = (max: number) => fc.integer({ min: 0, max }).map((n) => LOT.mul(n));
const cases = fc.uniqueArray(
  fc.record({
    caseId: fc.string({ minLength: 1, maxLength: 4 }),
    leftToSell: lots(5_000_000_000),
    active: fc.boolean(),
    floor: fc.option(fc.integer({ min: 990_000, max: 1_010_000 }), { nil: undefined }),
  }),
  {
    minLength: 1,
    maxLength: 8,
    selector: (c) => c.caseId,
  },
);

describe('properties', () => {
  it('a slice: offers add up to the slice, each within what the case needs, only eligible cases, the same in any order', () => {
    fc.assert(
      fc.property(cases, lots(20_000_000_000), fc.integer({ min: 990_000, max: 1_010_000 }), (cs, quantity, limit) => {
        const participants = cs.map((c) => ({
          caseId: c.caseId,
          leftToSell: c.leftToSell,
          active: c.active,
          ...(c.floor ? { floorPrice: new Decimal(c.floor) } : {}),
        }));
        const split = splitSlice({ quantity, limitPrice: new Decimal(limit), lotSize: LOT, participants });
        const eligible = participants.filter(
          (x) => x.active && x.leftToSell.gt(0) && (!x.floorPrice || x.floorPrice.lte(limit)),
        );
        expect(split.quantity.eq(Decimal.min(quantity, sum(eligible.map((x) => x.leftToSell))))).toBe(true);
        expect(sum(split.offers.map((o) => o.quantity)).eq(split.quantity)).toBe(true);
        for (const o of split.offers) {
          const c = eligible.find((x) => x.caseId === o.caseId);
          expect(c).toBeDefined();
          expect(o.quantity.lte(c!.leftToSell)).toBe(true);
          expect(o.quantity.div(LOT).isInteger()).toBe(true);
        }
        const again = splitSlice({
          quantity,
          limitPrice: new Decimal(limit),
          lotSize: LOT,
          participants: [...participants].reverse(),
        });
        expect(Object.fromEntries(again.offers.map((o) => [o.caseId, o.quantity.toFixed()]))).toEqual(
          Object.fromEntries(split.offers.map((o) => [o.caseId, o.quantity.toFixed()])),
        );
      }),
    );
  });

  it('an order: fills add up exactly to each trade, the gross and the fee; no case gets more than it offered or a trade below its floor; deterministic', () => {
    fc.assert(
      fc.property(
        cases,
        fc.array(
          fc.record({ price: fc.integer({ min: 990_000, max: 1_010_000 }), share: fc.integer({ min: 1, max: 100 }) }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.integer({ min: 0, max: 100 }),
        fc.boolean(),
        (cs, tradeSpecs, fillPercent, wholeFee) => {
          const limit = Math.min(...tradeSpecs.map((t) => t.price));
          const split = splitSlice({
            quantity: new Decimal('1e20'),
            limitPrice: new Decimal(limit),
            lotSize: LOT,
            participants: cs.map((c) => ({
              caseId: c.caseId,
              leftToSell: c.leftToSell,
              active: c.active,
              ...(c.floor ? { floorPrice: new Decimal(c.floor) } : {}),
            })),
          });
          const executed = split.quantity.mul(fillPercent).div(100).div(LOT).floor().mul(LOT);
          // Cut the executed quantity into trades, best price first.
          const shareTotal = tradeSpecs.reduce((t, x) => t + x.share, 0);
          const sorted = [...tradeSpecs].sort((a, b) => b.price - a.price);
          let left = executed;
          const trades = sorted
            .map((t, i) => {
              const quantity =
                i === sorted.length - 1 ? left : executed.mul(t.share).div(shareTotal).div(LOT).floor().mul(LOT);
              left = left.sub(quantity);
              return { price: new Decimal(t.price), quantity };
            })
            .filter((t) => t.quantity.gt(0));
          const gross = sum(trades.map((t) => t.price.mul(t.quantity)));
          const fee = wholeFee ? gross.mul('0.0005').floor() : gross.mul('0.0005');
          const execution = { trades, grossKrw: gross, feeKrw: fee };
          const fills = allocateOrder({ lotSize: LOT, offers: split.offers, execution });
          expect(sum(fills.map((f) => f.quantity)).eq(executed)).toBe(true);
          expect(sum(fills.map((f) => f.grossKrw)).eq(gross)).toBe(true);
          expect(sum(fills.map((f) => f.feeKrw)).eq(fee)).toBe(true);
          if (wholeFee) for (const f of fills) expect(f.feeKrw.isInteger()).toBe(true);
          for (const t of trades)
            expect(
              sum(fills.flatMap((f) => f.trades.filter((x) => x.price.eq(t.price)).map((x) => x.quantity))).eq(
                sum(trades.filter((x) => x.price.eq(t.price)).map((x) => x.quantity)),
              ),
            ).toBe(true);
          for (const f of fills) {
            const offer = split.offers.find((o) => o.caseId === f.caseId)!;
            expect(f.quantity.lte(offer.quantity)).toBe(true);
            for (const t of f.trades) expect(!offer.floorPrice || t.price.gte(offer.floorPrice)).toBe(true);
          }
          const again = allocateOrder({ lotSize: LOT, offers: [...split.offers].reverse(), execution });
          const key = (fs: typeof fills) =>
            Object.fromEntries(
              fs.map((f) => [f.caseId, `${f.quantity.toFixed()} ${f.grossKrw.toFixed()} ${f.feeKrw.toFixed()}`]),
            );
          expect(key(again)).toEqual(key(fills));
        },
      ),
    );
  });
});

describe('deskOffer', () => {
  // What the desk gives the case in its next order: the offer less what sold and what is on the way
  // as the desk sees them (memberLeft in the desk's store).
  const deskLeft = (offer: Decimal, sold: Decimal, onTheWay: Decimal) => offer.sub(sold).sub(onTheWay);

  it('re-planned from the case’s view, the desk gives it what it still needs less what is on the way, whatever the desk planned or closed since', () => {
    fc.assert(
      fc.property(lots(10_000), lots(10_000), lots(10_000), lots(10_000), (sold, onTheWay, stillToSell, more) => {
        const offer = deskOffer({ sold, onTheWay, stillToSell });
        const owed = Decimal.max(0, stillToSell.sub(onTheWay));
        // The same orders seen by both.
        expect(deskLeft(offer, sold, onTheWay).eq(owed)).toBe(true);
        // An order planned after the case looked: its share is part of what the case still needed.
        expect(deskLeft(offer, sold, onTheWay.add(more)).eq(owed.sub(more))).toBe(true);
        // An order on the way closed after the case looked, `more` of it unfilled: those coins raised
        // nothing, so the case still needs them.
        const unfilled = Decimal.min(more, onTheWay);
        const filled = onTheWay.sub(unfilled);
        expect(deskLeft(offer, sold.add(filled), ZERO).eq(owed.add(unfilled))).toBe(true);
      }),
    );
  });

  it('never less than what sold and what is on the way: a need covered leaves the case nothing more to sell', () => {
    expect(deskOffer({ sold: q('0.3'), onTheWay: q('0.1'), stillToSell: q('0') }).toFixed()).toBe('0.4');
    expect(deskOffer({ sold: q('0.3'), onTheWay: q('0.1'), stillToSell: q('0.25') }).toFixed()).toBe('0.55');
  });
});
