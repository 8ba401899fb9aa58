import { JsonNumber, parseLossless, stringifyWithNumbers } from '#adapters/exchange/lossless-json';

describe('lossless JSON', () => {
  it('keeps every digit of numbers that a float would round', () => {
    const parsed = parseLossless(
      '[{"trade_price":93120000.0,"size":0.12345678901234567890,"big":12345678901234567890,"neg":-0.5,"e":1e-8}]',
    );
    expect(parsed).toEqual([
      {
        trade_price: '93120000.0',
        size: '0.12345678901234567890',
        big: '12345678901234567890',
        neg: '-0.5',
        e: '1e-8',
      },
    ]);
  });

  it('leaves digits inside strings, escapes, booleans and null alone', () => {
    const parsed = parseLossless('{"a":"12 \\"34\\" 5","b":true,"c":null,"d":[1,"2"]}');
    expect(parsed).toEqual({ a: '12 "34" 5', b: true, c: null, d: ['1', '2'] });
  });

  it('rejects malformed JSON', () => {
    expect(() => parseLossless('{"a":')).toThrow();
    expect(() => parseLossless('{"a":-}')).toThrow();
  });

  it('writes marked decimals as bare number tokens with exact digits', () => {
    const text = stringifyWithNumbers({
      p: new JsonNumber('0.10000000000000000001'),
      s: 'x',
      n: [new JsonNumber('-3')],
    });
    expect(text).toBe('{"p":0.10000000000000000001,"s":"x","n":[-3]}');
    expect(parseLossless(text)).toEqual({ p: '0.10000000000000000001', s: 'x', n: ['-3'] });
  });
});
