/**
 * The simulated exchange's KRW tick table, modelled on Upbit's KRW market table as changed on
 * 2025-07-31. The exchange owns this table; clients must read `tick_size` from
 * `/v1/orderbook/instruments`, never copy it.
 */
import { Decimal } from '#domain/money';

const TABLE: ReadonlyArray<readonly [string, string]> = [
  ['1000000', '1000'],
  ['500000', '500'],
  ['100000', '100'],
  ['50000', '50'],
  ['10000', '10'],
  ['5000', '5'],
  ['100', '1'],
  ['10', '0.01'],
  ['1', '0.001'],
  ['0.1', '0.0001'],
  ['0.01', '0.00001'],
  ['0', '0.000001'],
];

const PARSED = TABLE.map(([from, tick]) => [new Decimal(from), new Decimal(tick)] as const);

export function krwTickSize(price: Decimal): Decimal {
  for (const [from, tick] of PARSED) if (price.gte(from)) return tick;
  return PARSED[PARSED.length - 1]![1];
}
