import { percent } from '../../web/shared/format';

describe('percent', () => {
  it('reads a ratio with more than three decimals as its percentage, not its digits shifted', () => {
    // A desk order at 2.35% of a minute's volume read 2346.8% (the browser run's BTC desk, issue 15).
    expect(percent('0.023468')).toBe('2.3%');
    expect(percent('0.127039')).toBe('12.7%');
    // The coverage ratio has four decimals: 123.45% of the arrears.
    expect(percent('1.2345')).toBe('123.5%');
  });

  it('keeps the short ratios it always read', () => {
    expect(percent('0.05')).toBe('5.0%');
    expect(percent('1.25')).toBe('125.0%');
    expect(percent('0')).toBe('0.0%');
    expect(percent('3')).toBe('300.0%');
    expect(percent('0.0004')).toBe('0.0%');
    expect(percent('0.00096')).toBe('0.1%');
    expect(percent('-0.012')).toBe('-1.2%');
    expect(percent(null)).toBe('—');
    expect(percent('n/a')).toBe('n/a');
  });
});
