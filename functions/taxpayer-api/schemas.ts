/**
 * What the taxpayer's self-service API accepts and answers (docs/SELF_SERVICE.md), as zod schemas:
 * the pipeline validates with them and the OpenAPI document describes them. Won are strings of
 * digits, quantities and prices decimal strings, as in the city's API.
 */
import * as z from 'zod/mini';
import { Instant, LocalDateSchema, Market, Price, Status, Won, withMeta } from '../api/schemas';

export const SessionBody = withMeta(
  z.strictObject({
    code: withMeta(z.string().check(z.trim(), z.minLength(1), z.maxLength(40)), {
      description: 'The code from the notice’s link or QR code (XXXX-XXXX-XXXX-XXXX).',
      example: '7K2M-QX4P-9D3R-T6VW',
    }),
    birthDate: withMeta(
      z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' })),
      { description: 'The taxpayer’s date of birth: the second check.', example: '1980-04-17' },
    ),
  }),
  { id: 'TaxpayerSessionRequest' },
);

export const SessionView = withMeta(
  z.object({
    session: withMeta(z.string(), { description: 'Send as "Authorization: Bearer <session>".' }),
    expiresAt: Instant,
  }),
  { id: 'TaxpayerSession' },
);

const Coin = z.object({ market: Market, coin: z.string(), coinName: z.optional(z.string()), quantity: z.string() });

export const TaxpayerStatementView = withMeta(
  z.object({
    asOf: LocalDateSchema,
    city: z.object({
      name: z.string(),
      department: z.string(),
      phone: z.string(),
      paymentGuide: z.string(),
      payment: z.optional(
        z.object({
          accounts: z.array(z.object({ bank: z.string(), number: z.string(), holder: z.string() })),
          onlineUrl: z.optional(z.string()),
          inPerson: z.optional(z.string()),
        }),
      ),
      exchangeName: z.string(),
      returnedTo: z.string(),
    }),
    taxpayerName: withMeta(z.string(), { description: 'As the notice prints it.' }),
    caseRef: withMeta(z.string(), { description: 'The case number the notice prints.' }),
    status: Status,
    deadline: withMeta(z.optional(LocalDateSchema), {
      description: 'The pre-sale notice’s deadline, once the notice took effect.',
    }),
    deadlineRule: withMeta(z.optional(z.string()), {
      description: 'Before the notice took effect: how the deadline will be set.',
    }),
    bills: z.array(
      z.object({
        billId: z.string(),
        taxItem: z.string(),
        dueDate: LocalDateSchema,
        cost: Won,
        tax: Won,
        surcharge: Won,
        total: Won,
      }),
    ),
    owedToday: Won,
    projection: withMeta(
      z.array(z.object({ on: LocalDateSchema, label: z.enum(['TODAY', 'DEADLINE', 'AFTER']), owed: Won })),
      { description: 'What is owed if nothing is paid, on coming dates.' },
    ),
    coins: z.array(
      z.extend(Coin, { bid: z.optional(z.string()), value: z.optional(Won), pricedAt: z.optional(Instant) }),
    ),
    coinsValue: Won,
    payments: z.array(z.object({ amount: Won, receivedOn: z.optional(LocalDateSchema) })),
    saleRequest: z.optional(
      z.object({ requestedAt: Instant, limitPrices: z.record(z.string(), z.string()), channel: z.string() }),
    ),
    sale: z.optional(
      z.object({
        state: z.enum(['WAITING', 'SELLING', 'SETTLED', 'SHORTFALL']),
        soldSoFar: z.array(z.object({ market: Market, quantity: z.string(), grossKrw: z.string() })),
        netSoFar: Won,
      }),
    ),
    settlement: z.optional(z.object({ grossKrw: z.string(), feesKrw: z.string(), allocated: Won, refunded: Won })),
    refundPayable: Won,
    refundGuide: z.string(),
    releases: z.array(z.object({ market: z.string(), quantity: z.string(), reason: z.string(), status: z.string() })),
    holds: z.array(z.object({ kind: z.string(), from: LocalDateSchema, active: z.boolean() })),
    canRequestSale: z.boolean(),
    saleRefusal: withMeta(z.optional(z.string()), { description: 'Why a sale cannot be asked for now.' }),
    objection: withMeta(z.array(z.string()), {
      description: 'How to object or ask for a deferral (the notice’s own words).',
    }),
  }),
  { id: 'TaxpayerStatement' },
);

/** Floors by market in the query: `?floor=KRW-BTC:95000000,KRW-ETH:4000000`. */
export const SalePreviewQuery = z.strictObject({
  floor: withMeta(
    z.optional(
      z.string().check(
        z.maxLength(400),
        z.regex(/^KRW-[A-Z0-9]{1,15}:[0-9.]+(,KRW-[A-Z0-9]{1,15}:[0-9.]+)*$/, {
          error: 'must be MARKET:PRICE pairs separated by commas, e.g. KRW-BTC:95000000',
        }),
      ),
    ),
    { description: 'The floors to preview, MARKET:PRICE, comma-separated.', example: 'KRW-BTC:95000000' },
  ),
});

/** The floors of the query, each price checked as the sale request's are. */
export function floorsFromQuery(floor: string | undefined): Record<string, string> {
  const pairs = (floor ?? '')
    .split(',')
    .filter(Boolean)
    .map((p) => p.split(':') as [string, string]);
  const floors: Record<string, string> = {};
  for (const [market, price] of pairs) {
    if (!Market.safeParse(market).success || !Price.safeParse(price).success || market in floors)
      throw new Error(`floor ${market}:${price}`);
    floors[market] = price;
  }
  return floors;
}

export const SalePreviewView = withMeta(
  z.object({
    asOf: LocalDateSchema,
    owed: Won,
    legs: z.array(z.object({ market: Market, quantity: z.string(), estimatedNetKrw: Won })),
    estimatedProceeds: Won,
    estimatedRefund: Won,
    shortfall: withMeta(Won, { description: 'What the sale would not cover at today’s bids.' }),
    returned: withMeta(z.array(z.object({ market: Market, quantity: z.string() })), {
      description: 'Coins that would go back once the sale settles.',
    }),
    belowFloor: withMeta(z.array(Market), {
      description: 'Coins whose floor is above today’s bid: none of them sells until the price reaches it.',
    }),
    unpriced: z.array(Market),
  }),
  { id: 'TaxpayerSalePreview' },
);

export const TaxpayerSaleRequestBody = withMeta(
  z.strictObject({
    limitPrices: withMeta(z._default(z.record(Market, Price), {}), {
      description: 'The taxpayer’s floor price per coin, by market (optional).',
    }),
  }),
  {
    id: 'TaxpayerSaleRequest',
    description: 'The taxpayer asks the city to sell their seized coins now, before the deadline.',
  },
);

export const SaleRequestedView = withMeta(z.object({ requestId: z.string(), requestedAt: Instant, status: Status }), {
  id: 'TaxpayerSaleRequested',
});
