/**
 * What the taxpayer's self-service API accepts and answers (docs/SELF_SERVICE.md), as zod schemas:
 * the pipeline validates with them and the OpenAPI document describes them. Won are strings of
 * digits, quantities and prices decimal strings, as in the city's API.
 */
import * as z from 'zod';
import { Instant, LocalDateSchema, Market, Price, Status, Won } from '../api/schemas';

export const SessionBody = z
  .strictObject({
    code: z.string().trim().min(1).max(40).meta({
      description: 'The code from the notice’s link or QR code (XXXX-XXXX-XXXX-XXXX).',
      example: '7K2M-QX4P-9D3R-T6VW',
    }),
    birthDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' })
      .meta({ description: 'The taxpayer’s date of birth: the second check.', example: '1980-04-17' }),
  })
  .meta({ id: 'TaxpayerSessionRequest' });

export const SessionView = z
  .object({
    session: z.string().meta({ description: 'Send as "Authorization: Bearer <session>".' }),
    expiresAt: Instant,
  })
  .meta({ id: 'TaxpayerSession' });

const Coin = z.object({ market: Market, coin: z.string(), coinName: z.string().optional(), quantity: z.string() });

export const TaxpayerStatementView = z
  .object({
    asOf: LocalDateSchema,
    city: z.object({
      name: z.string(),
      department: z.string(),
      phone: z.string(),
      paymentGuide: z.string(),
      payment: z
        .object({
          accounts: z.array(z.object({ bank: z.string(), number: z.string(), holder: z.string() })),
          onlineUrl: z.string().optional(),
          inPerson: z.string().optional(),
        })
        .optional(),
      exchangeName: z.string(),
      returnedTo: z.string(),
    }),
    taxpayerName: z.string().meta({ description: 'As the notice prints it.' }),
    caseRef: z.string().meta({ description: 'The case number the notice prints.' }),
    status: Status,
    deadline: LocalDateSchema.optional().meta({
      description: 'The pre-sale notice’s deadline, once the notice took effect.',
    }),
    deadlineRule: z
      .string()
      .optional()
      .meta({ description: 'Before the notice took effect: how the deadline will be set.' }),
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
    projection: z
      .array(z.object({ on: LocalDateSchema, label: z.enum(['TODAY', 'DEADLINE', 'AFTER']), owed: Won }))
      .meta({ description: 'What is owed if nothing is paid, on coming dates.' }),
    coins: z.array(Coin.extend({ bid: z.string().optional(), value: Won.optional(), pricedAt: Instant.optional() })),
    coinsValue: Won,
    payments: z.array(z.object({ amount: Won, receivedOn: LocalDateSchema.optional() })),
    saleRequest: z
      .object({ requestedAt: Instant, limitPrices: z.record(z.string(), z.string()), channel: z.string() })
      .optional(),
    sale: z
      .object({
        state: z.enum(['WAITING', 'SELLING', 'SETTLED', 'SHORTFALL']),
        soldSoFar: z.array(z.object({ market: Market, quantity: z.string(), grossKrw: z.string() })),
        netSoFar: Won,
      })
      .optional(),
    settlement: z.object({ grossKrw: z.string(), feesKrw: z.string(), allocated: Won, refunded: Won }).optional(),
    refundPayable: Won,
    refundGuide: z.string(),
    releases: z.array(z.object({ market: z.string(), quantity: z.string(), reason: z.string(), status: z.string() })),
    holds: z.array(z.object({ kind: z.string(), from: LocalDateSchema, active: z.boolean() })),
    canRequestSale: z.boolean(),
    saleRefusal: z.string().optional().meta({ description: 'Why a sale cannot be asked for now.' }),
    objection: z
      .array(z.string())
      .meta({ description: 'How to object or ask for a deferral (the notice’s own words).' }),
  })
  .meta({ id: 'TaxpayerStatement' });

/** Floors by market in the query: `?floor=KRW-BTC:95000000,KRW-ETH:4000000`. */
export const SalePreviewQuery = z.strictObject({
  floor: z
    .string()
    .max(400)
    .regex(/^KRW-[A-Z0-9]{1,15}:[0-9.]+(,KRW-[A-Z0-9]{1,15}:[0-9.]+)*$/, {
      error: 'must be MARKET:PRICE pairs separated by commas, e.g. KRW-BTC:95000000',
    })
    .optional()
    .meta({ description: 'The floors to preview, MARKET:PRICE, comma-separated.', example: 'KRW-BTC:95000000' }),
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

export const SalePreviewView = z
  .object({
    asOf: LocalDateSchema,
    owed: Won,
    legs: z.array(z.object({ market: Market, quantity: z.string(), estimatedNetKrw: Won })),
    estimatedProceeds: Won,
    estimatedRefund: Won,
    shortfall: Won.meta({ description: 'What the sale would not cover at today’s bids.' }),
    returned: z
      .array(z.object({ market: Market, quantity: z.string() }))
      .meta({ description: 'Coins that would go back once the sale settles.' }),
    belowFloor: z
      .array(Market)
      .meta({ description: 'Coins whose floor is above today’s bid: none of them sells until the price reaches it.' }),
    unpriced: z.array(Market),
  })
  .meta({ id: 'TaxpayerSalePreview' });

export const TaxpayerSaleRequestBody = z
  .strictObject({
    limitPrices: z
      .record(Market, Price)
      .default({})
      .meta({ description: 'The taxpayer’s floor price per coin, by market (optional).' }),
  })
  .meta({
    id: 'TaxpayerSaleRequest',
    description: 'The taxpayer asks the city to sell their seized coins now, before the deadline.',
  });

export const SaleRequestedView = z
  .object({ requestId: z.string(), requestedAt: Instant, status: Status })
  .meta({ id: 'TaxpayerSaleRequested' });
