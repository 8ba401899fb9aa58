/**
 * Every body, query and path the API accepts, and every answer it gives, as zod schemas. The
 * router validates with them and openapi.ts documents them: one source, so neither can drift.
 * Won are whole numbers written as strings of digits; quantities and prices are decimal strings:
 * a JSON number (a float to most clients) is refused.
 */
import * as z from 'zod';
import { isLocalDate } from '#domain/dates';

// ---------------------------------------------------------------- scalars

export const WON_PATTERN = /^(0|[1-9]\d{0,17})$/;
const DECIMAL_PATTERN = /^(0|[1-9]\d{0,19})(\.\d{1,18})?$/;

export const Won = z
  .string()
  .regex(WON_PATTERN, {
    error:
      'must be a whole, non-negative number of won written as digits, e.g. "150000" (no sign, fraction, separator or exponent)',
    abort: true,
  })
  .meta({ description: 'Won: a whole number written as a string of digits.', example: '150000' });

export const PositiveWon = Won.refine((v) => v !== '0', { error: 'must be more than 0 won' }).meta({
  description: 'Won, more than zero, as a string of digits.',
  example: '150000',
});

export const Quantity = z
  .string()
  .regex(DECIMAL_PATTERN, {
    error: 'must be a decimal written as a string, e.g. "0.05" (no sign or exponent, at most 18 decimals)',
    abort: true,
  })
  .refine((v) => /[1-9]/.test(v), { error: 'must be more than 0' })
  .meta({ description: 'A coin quantity as a decimal string.', example: '0.05' });

export const Price = z
  .string()
  .regex(DECIMAL_PATTERN, { error: 'must be a decimal written as a string, e.g. "140000000"', abort: true })
  .refine((v) => /[1-9]/.test(v), { error: 'must be more than 0' })
  .meta({ description: 'A price in won per coin as a decimal string.', example: '140000000' });

/** An amount as executed on the exchange: may carry fractions of a won. */
export const DecimalAmount = z.string().meta({
  description: 'An amount in won as a decimal string (exchange executions may carry fractions of a won).',
  example: '7000000.5',
});

const FIRST_DATE = '2000-01-01';
const LAST_DATE = '2099-12-31';

export const LocalDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD', abort: true })
  .refine(isLocalDate, { error: 'is not a calendar date', abort: true })
  // Older bills are long time-barred, and nothing the API records can be dated a century ahead.
  .refine((v) => v >= FIRST_DATE && v <= LAST_DATE, { error: `must be from ${FIRST_DATE} to ${LAST_DATE}` })
  .meta({ description: 'A calendar date in Korea (YYYY-MM-DD).', format: 'date', example: '2025-10-16' });

/** A date of birth: a calendar date from 1900 on (the dates a case records start in 2000). */
const BirthDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD', abort: true })
  .refine(isLocalDate, { error: 'is not a calendar date', abort: true })
  .refine((v) => v >= '1900-01-01' && v <= LAST_DATE, { error: `must be from 1900-01-01 to ${LAST_DATE}` });

export const Instant = z
  .string()
  .meta({ description: 'An instant, ISO 8601 in UTC.', format: 'date-time', example: '2025-09-01T00:00:00.000Z' });

export const CityId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a city id: lower-case letters, digits and "-"' })
  .meta({
    description: 'The city (local government) the case belongs to; one this deployment serves.',
    example: 'cheongju',
  });

export const CaseId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a case id (letters, digits, "_" or "-")' })
  .meta({ description: 'The case id this API assigned at registration.', example: 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W' });

const RecordId = (what: string, example: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: `must be ${what}: 1-64 letters, digits, ".", "_" or "-"` })
    .meta({ description: what, example });

export const BillId = RecordId('the city system’s bill id', 'B-2025-000123');
export const CityCaseRef = RecordId(
  'the city system’s own reference for the case (its case number): one open case per reference and city',
  'CH-2025-004711',
);
export const PaymentId = RecordId('the city system’s payment (receipt) id', 'RCPT-2025-000123');
export const HoldId = RecordId('a hold id this API assigned', 'h01JZ8X4E7Q2M3N4P5R6S7T8V9W');

export const Market = z
  .string()
  .regex(/^KRW-[A-Z0-9]{1,15}$/, { error: 'must be a KRW market code, e.g. "KRW-BTC"' })
  .meta({ description: 'Exchange market code.', example: 'KRW-BTC' });

export const STATUSES = [
  'REGISTERED',
  'TRANSFER_REQUESTED',
  'IN_CUSTODY',
  'NOTICE_SENT',
  'DUE',
  'SELLING',
  'SETTLED',
  'SHORTFALL',
  'PAID',
  'ON_HOLD',
  'CANCELLED',
] as const;
export const Status = z.enum(STATUSES).meta({ description: 'Where the case is in its lifecycle.' });
export const HoldKind = z.enum(['APPEAL', 'LAWSUIT', 'COLLECTION_DEFERRAL', 'DISPOSITION_DEFERRAL']).meta({
  description: 'Appeal or lawsuit (징수법 §71⑤), collection deferral (§28③), disposition deferral (§105).',
});

/** Control characters and the bidirectional formatting characters that can make a printed name or reason read otherwise than it is stored. */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const Text = (max: number, description: string) =>
  z
    .string()
    // Counted before trimming too: padding is no way around the limit.
    .max(max, { error: `must be at most ${max} characters`, abort: true })
    .refine((v) => !UNPRINTABLE.test(v), {
      error: 'must not contain control characters or bidirectional formatting characters',
      abort: true,
    })
    .trim()
    .min(1, { error: 'must not be empty' })
    .meta({ description });

// ---------------------------------------------------------------- requests

export const BillInput = z
  .strictObject({
    billId: BillId,
    taxItem: Text(60, 'The tax item, e.g. 지방소득세, 자동차세, 재산세.'),
    provincial: z
      .boolean()
      .default(false)
      .meta({ description: 'A provincial tax the city collects on delegation (applied first, 징수법 §4②).' }),
    liabilityDate: LocalDateSchema.optional().meta({
      description: 'When the liability arose (picks the surcharge regime); defaults to the due date.',
    }),
    dueDate: LocalDateSchema,
    cost: Won.meta({ description: '체납처분비 (disposition costs) assessed, won.' }),
    tax: Won.meta({ description: 'Tax without surcharges assessed, won.' }),
    surcharge: Won.meta({ description: 'Surcharges (가산세/가산금) assessed up to surchargeAsOf, won.' }),
    surchargeAsOf: LocalDateSchema.meta({ description: 'The date up to which the surcharge already counts accruals.' }),
  })
  .meta({
    id: 'BillInput',
    description: 'A bill as the city assessed it; payments recorded here are kept when the city updates it.',
  });

export const RegisterCaseBody = z
  .strictObject({
    cityId: CityId,
    cityCaseRef: CityCaseRef,
    taxpayer: z.strictObject({
      ref: Text(64, 'The city system’s taxpayer reference (never a resident registration number).'),
      name: Text(100, 'Name for notices.'),
      contact: z
        .strictObject({
          phone: Text(30, 'Mobile number for SMS / alimtalk.').optional(),
          email: z.email({ error: 'must be an e-mail address' }).max(254).optional().meta({
            description:
              'Only for a taxpayer who applied for electronic service (지방세기본법 §30): notices then go by e-mail.',
          }),
          address: Text(300, 'Postal address.').optional(),
        })
        // Every notice must reach the taxpayer: by post, or by e-mail where they applied for it.
        .refine((c) => c.address !== undefined || c.email !== undefined, {
          error: 'needs a postal address or an e-mail address: notices must reach the taxpayer',
          path: ['address'],
        }),
    }),
    bills: z
      .array(BillInput)
      .min(1, { error: 'must list at least one bill' })
      .max(500, { error: 'must list at most 500 bills' }),
  })
  .meta({ id: 'RegisterCase' });

export const UpdateBillsBody = z
  .strictObject({ cityId: CityId, bills: z.array(BillInput).min(1, { error: 'must list at least one bill' }).max(500) })
  .meta({ id: 'UpdateBills', description: 'The city’s current amounts; bills not listed stay as they are.' });

export const SeizuresBody = z
  .strictObject({
    cityId: CityId,
    seizures: z
      .array(
        z.strictObject({
          exchange: z
            .enum(['UPBIT'])
            .default('UPBIT')
            .meta({ description: 'The exchange holding the coins (the city’s account is on Upbit).' }),
          market: Market,
          quantity: Quantity,
        }),
      )
      .min(1, { error: 'must list at least one seizure' })
      .max(50),
  })
  .meta({ id: 'Seizures', description: 'Coins seized and the transfer demand to the exchange (징수법 §61③).' });

export const CustodyBody = z
  .strictObject({ cityId: CityId, market: Market, quantity: Quantity })
  .meta({ id: 'Custody', description: 'Coins that reached the city’s account.' });

export const PaymentBody = z
  .strictObject({ cityId: CityId, paymentId: PaymentId, amount: PositiveWon, receivedOn: LocalDateSchema })
  .meta({ id: 'Payment', description: 'A payment the city received; applied in the legal order (징수법 §4).' });

export const SaleRequestBody = z
  .strictObject({
    cityId: CityId,
    limitPrices: z
      .record(Market, Price)
      .default({})
      .meta({ description: 'The taxpayer’s floor price per coin, by market.' }),
    evidence: z
      .strictObject({
        relayedBy: Text(200, 'The city employee (or system) who received the taxpayer’s request and relayed it.'),
        receivedAt: z.iso
          .datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone', abort: true })
          .refine((v) => Date.parse(v) >= Date.parse(`${FIRST_DATE}T00:00:00+09:00`), {
            error: `must be from ${FIRST_DATE}`,
          })
          .meta({ description: 'When the taxpayer made the request.' }),
        channel: z
          .enum(['IN_PERSON', 'PHONE', 'MAIL', 'EMAIL', 'ONLINE'])
          .meta({ description: 'How the taxpayer asked.' }),
        reference: Text(200, 'The city’s reference to the written request, call record or form.').optional(),
      })
      .meta({
        description:
          'That the taxpayer asked: who relayed it, when, how. Recorded with the case and in its audit trail.',
      }),
  })
  .meta({ id: 'SaleRequest', description: 'The taxpayer asks the city to sell now, before the deadline.' });

export const HoldBody = z
  .strictObject({ cityId: CityId, kind: HoldKind, reason: Text(500, 'Why, for the audit trail.') })
  .meta({ id: 'Hold' });

export const CancelBody = z
  .strictObject({ cityId: CityId, reason: Text(500, 'Why the city withdrew the bills.') })
  .meta({ id: 'Cancel' });

export const PreSaleNoticeBody = z.strictObject({ cityId: CityId }).meta({
  id: 'PreSaleNoticeNow',
  description: 'An officer sends the case’s pre-sale notice now, whatever the city’s waiting period after custody.',
});

export const HoldBackBody = z
  .strictObject({ cityId: CityId, reason: Text(500, 'Why the notice waits, for the audit trail.') })
  .meta({
    id: 'PreSaleNoticeHoldBack',
    description:
      'An officer holds the pre-sale notice back: the daily run skips the case until the hold-back is released.',
  });

export const DeliveryBody = z
  .discriminatedUnion('outcome', [
    z.strictObject({ cityId: CityId, outcome: z.literal('DELIVERED'), on: LocalDateSchema }),
    z.strictObject({
      cityId: CityId,
      outcome: z.literal('FAILED'),
      on: LocalDateSchema,
      reason: Text(500, 'The post office’s reason: address unknown, refused, absent and returned.'),
    }),
  ])
  .meta({
    id: 'NoticeDelivery',
    description:
      'The outcome of delivering the pre-sale notice, as the post office reported it. Delivered: the deadline runs from that day (지방세기본법 §32).',
  });

export const PublicNoticeBody = z.strictObject({ cityId: CityId, postedOn: LocalDateSchema }).meta({
  id: 'PublicNotice',
  description:
    'After a failed delivery, public notice (공시송달, 지방세기본법 §33) posted on a date: it takes effect 14 days later.',
});

export const TaxpayerCheckBody = z
  .strictObject({
    cityId: CityId,
    birthDate: BirthDate.meta({
      description: 'The taxpayer’s date of birth as the city holds it (from the resident registration).',
      example: '1980-04-17',
    }),
  })
  .meta({
    id: 'TaxpayerCheck',
    description: 'The second check of the self-service page; only its peppered HMAC is stored.',
  });

export const TaxpayerCheckView = z
  .object({ cityId: CityId, caseId: CaseId, setAt: Instant })
  .meta({ id: 'TaxpayerCheckSet' });

export const CaseParams = z.strictObject({ caseId: CaseId });
export const NoticeParams = z.strictObject({
  caseId: CaseId,
  noticeId: RecordId('a notice id', 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W.v4.0.PRE_SALE'),
});
export const HoldParams = z.strictObject({ caseId: CaseId, holdId: HoldId });

export const SaleId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'must be a sale id, e.g. "<caseId>-sale-1"' })
  .meta({
    description: 'A sale attempt of the case: `<caseId>-sale-<n>`.',
    example: 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W-sale-1',
  });
export const SaleParams = z.strictObject({ caseId: CaseId, saleId: SaleId });

export const SaleApprovalBody = z.strictObject({ cityId: CityId }).meta({
  id: 'SaleApproval',
  description:
    'An officer approves the running sale, planned at or above the approval threshold; the approving officer is the caller.',
});
export const SaleStopBody = z
  .strictObject({ cityId: CityId, reason: Text(500, 'Why the officer ends the sale, for the audit trail.') })
  .meta({ id: 'SaleStop', description: 'An officer ends the running sale; the officer is the caller.' });
export const CityQuery = z.strictObject({ city: CityId });
export const ListQuery = z.strictObject({
  city: CityId,
  status: Status.optional(),
  cursor: z
    .string()
    .min(1, { error: 'must not be empty: leave it out for the first page' })
    .max(2000)
    .optional()
    .meta({ description: 'The cursor of the previous page.' }),
  // Digits only: Number() would also read "0x10", "1e1" or " 5 ".
  limit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, { error: 'must be a whole number from 1 to 100', abort: true })
    .transform(Number)
    .pipe(z.number().max(100, { error: 'must be a whole number from 1 to 100' }))
    .optional()
    .meta({ description: 'Page size (default 50).' }),
  // The console's filters apply to the whole listing: a page holds only matches, and its cursor goes on over them
  // (a page holds fewer than `limit` only when the listing ends or 500 cases were read for it: follow the cursor).
  detail: z.enum(['true', 'false']).optional().meta({
    description:
      'true: each item also names the taxpayer reference, the markets held and the coverage (implied by any filter below).',
  }),
  coin: z
    .string()
    .regex(/^[A-Z0-9]{1,12}$/, { error: 'must be a currency code such as BTC' })
    .optional()
    .meta({ description: 'Only cases holding this coin.' }),
  coverage: z
    .enum(['UNDER', 'COVERED', 'NOTHING_OWED', 'NO_COINS', 'UNPRICED'])
    .optional()
    .meta({ description: 'Only cases in this coverage band (from the price poller’s latest coverage sheet).' }),
  deadlineWithinDays: z
    .string()
    .regex(/^(0|[1-9]\d{0,3})$/, { error: 'must be a whole number of days from 0 to 3650', abort: true })
    .transform(Number)
    .pipe(z.number().max(3650, { error: 'must be a whole number of days from 0 to 3650' }))
    .optional()
    .meta({ description: 'Only cases whose deadline falls within this many days from today (KST).' }),
  taxpayerRef: Text(64, 'Only the cases of this taxpayer reference (or this city case reference).').optional(),
});

export const TaxpayerAccessQuery = z.strictObject({
  city: CityId,
  cursor: ListQuery.shape.cursor,
  limit: ListQuery.shape.limit,
});

export const TaxpayerAccessView = z
  .object({
    items: z.array(
      z.object({
        at: Instant,
        outcome: z
          .enum(['CHECK_PASSED', 'CHECK_FAILED', 'LOCKED', 'EXPIRED', 'NO_CHECK', 'READ', 'SALE_PLAN', 'SALE_REQUEST'])
          .meta({
            description:
              'What happened: the second check passed or failed, the link or case was locked, the link had expired, the case had no check; or, in a session, the statement read, a sale plan shown, a sale asked for.',
          }),
        noticeId: z.string().meta({ description: 'The notice whose link was used.' }),
        route: z.string().meta({ description: 'The page’s API route.' }),
        requestId: z.string(),
      }),
    ),
    cursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
  })
  .meta({
    id: 'TaxpayerAccessLog',
    description: 'The taxpayer self-service page’s accesses to a case, newest first (no personal data is kept).',
  });

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z.string().min(1).max(255).meta({
    description:
      'Required on every POST, PUT and DELETE. A repeat with the same key and request returns the first answer and changes nothing.',
    example: '7f1c0e5e-1f43-4a53-9d61-5b1b9d3c2a10',
  }),
});

// ---------------------------------------------------------------- responses

const Amounts = z.object({ assessed: Won, paid: Won, outstanding: Won });

export const BillView = z
  .object({
    billId: z.string(),
    taxItem: z.string(),
    provincial: z.boolean(),
    liabilityDate: LocalDateSchema.optional(),
    dueDate: LocalDateSchema,
    surchargeAsOf: LocalDateSchema,
    cost: Amounts,
    tax: Amounts,
    surcharge: Amounts,
  })
  .meta({ id: 'Bill' });

export const HoldingView = z
  .object({
    market: Market,
    seized: Quantity,
    inCustody: z.string(),
    sold: z.string(),
    released: z.string(),
    available: z.string(),
  })
  .meta({ id: 'Holding', description: 'Coin quantities as decimal strings.' });

export const HoldView = z
  .object({
    holdId: z.string(),
    kind: HoldKind,
    reason: z.string(),
    from: LocalDateSchema,
    to: LocalDateSchema.optional(),
    active: z.boolean(),
  })
  .meta({ id: 'HoldRecord' });

const CoverageState = z.enum(['UNDER', 'COVERED', 'NOTHING_OWED', 'NO_COINS', 'UNPRICED']).meta({
  id: 'CoverageState',
  description:
    'UNDER: the coins at the bid do not reach the arrears; COVERED: they do (surplus goes back to the taxpayer); NO_COINS: nothing held; UNPRICED: a held market has no bid.',
});

const CoverageFigures = {
  state: CoverageState,
  ratio: z.string().nullable().meta({
    description:
      'Value at the bid / arrears projected to asOf, cut to 4 places; null when nothing is owed or a market is unpriced.',
  }),
  arrearsKrw: Won.meta({ description: 'Arrears projected to asOf (surcharges included).' }),
  valueKrw: Won.meta({ description: 'Coins held, at the latest best bid, before fees.' }),
  shortfallKrw: Won,
  surplusKrw: Won,
  unpriced: z.array(Market),
  flagged: z
    .array(Market)
    .meta({ description: 'Markets valued at a price the poller flagged (stale, sources disagree).' }),
};

export const CoverageLineView = z
  .object({ caseId: CaseId, status: Status, ...CoverageFigures })
  .meta({ id: 'CoverageLine' });

export const CaseCoverageView = z
  .object({
    asOf: LocalDateSchema,
    ...CoverageFigures,
    prices: z.record(z.string(), z.object({ bid: z.string(), at: Instant, flags: z.array(z.string()) })),
  })
  .meta({
    id: 'CaseCoverage',
    description: 'The case’s coverage now, from its bills and the latest prices the poller stored.',
  });

export const CaseView = z
  .object({
    cityId: CityId,
    caseId: CaseId,
    cityCaseRef: z.string().meta({ description: 'The city system’s own reference for the case.' }),
    status: Status,
    version: z.number().int(),
    taxpayer: z.object({
      ref: z.string(),
      name: z.string(),
      contact: z.object({ phone: z.string().optional(), email: z.string().optional(), address: z.string().optional() }),
    }),
    bills: z.array(BillView),
    holdings: z.array(HoldingView),
    holds: z.array(HoldView),
    resumeStatus: Status.optional(),
    custodyOn: LocalDateSchema.optional(),
    preSaleNoticeHeld: z.object({ by: z.string(), at: Instant, reason: z.string() }).optional(),
    preSaleNotice: z
      .object({
        noticeId: z.string(),
        issuedOn: LocalDateSchema,
        deliveredOn: LocalDateSchema.optional(),
        failed: z.object({ on: LocalDateSchema, reason: z.string() }).optional(),
        publicNotice: z
          .object({ postedOn: LocalDateSchema, effectiveOn: LocalDateSchema, orderedBy: z.string() })
          .optional(),
        effectiveOn: LocalDateSchema.optional(),
      })
      .optional()
      .meta({
        description: 'The pre-sale notice of the current custody and its service; the deadline runs from effectiveOn.',
      }),
    deadline: LocalDateSchema.optional(),
    saleRequest: z
      .object({
        requestId: z.string(),
        requestedAt: Instant,
        limitPrices: z.record(z.string(), z.string()),
        evidence: z.object({
          relayedBy: z.string(),
          receivedAt: z.string(),
          channel: z.string(),
          reference: z.string().optional(),
        }),
      })
      .optional(),
    saleId: z.string().optional(),
    saleAttempts: z.number().int(),
    refundPayable: Won,
    lastError: z.string().optional(),
    arrears: z.object({
      recorded: Won.meta({ description: 'Outstanding on the bills as recorded.' }),
      asOf: LocalDateSchema,
      projected: Won.meta({ description: 'Outstanding with surcharges projected to asOf (today).' }),
    }),
    coverage: CaseCoverageView.optional().meta({ description: 'On GET /cases/{caseId} once the price poller runs.' }),
    saleApproval: z
      .object({ saleId: z.string(), approvals: z.array(z.object({ by: z.string(), at: Instant })) })
      .optional()
      .meta({
        description:
          'Officers’ approvals of the running sale (four eyes: never the officer who asked for it or last changed its bills or holds).',
      }),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .meta({ id: 'Case' });

export const HoldCreatedView = z.object({ holdId: HoldId, case: CaseView }).meta({ id: 'HoldCreated' });

export const CaseSummaryView = z
  .object({
    caseId: CaseId,
    status: Status,
    createdAt: Instant,
    updatedAt: Instant,
    arrears: Won,
    recovered: Won,
    refundPayable: Won,
    deadline: LocalDateSchema.optional(),
    taxpayerRef: z.string().optional().meta({ description: 'With detail (or a filter).' }),
    cityCaseRef: z.string().optional().meta({ description: 'With detail (or a filter).' }),
    markets: z
      .array(z.string())
      .optional()
      .meta({ description: 'Markets of the seized coins, with detail (or a filter).' }),
    coverage: z
      .object({ state: z.string(), ratio: z.string().nullable() })
      .optional()
      .meta({ description: 'From the latest coverage sheet, with detail (or a filter), once the price poller runs.' }),
  })
  .meta({ id: 'CaseSummary' });

/** How a filtered page says it was cut short (GET /cases with a filter, GET /sales?awaitingApproval=true). */
const CutShort = {
  truncated: z.literal(true).optional().meta({
    description:
      'Present when a filtered page holds fewer items than asked although the listing goes on: one request reads at most `examined` cases for a filter. Pass `cursor` to read on from where this one stopped.',
  }),
  examined: z.number().int().optional().meta({
    description: 'With truncated: how many cases this request read for the filter (the most one request reads).',
  }),
};

export const CaseListView = z
  .object({
    items: z.array(CaseSummaryView),
    cursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
    ...CutShort,
  })
  .meta({ id: 'CaseList' });

export const StatementView = z
  .object({
    cityId: CityId,
    caseId: CaseId,
    status: Status,
    asOf: LocalDateSchema,
    taxpayerRef: z.string(),
    bills: z.array(BillView),
    payments: z.array(
      z.object({ paymentId: z.string(), amount: Won, receivedOn: LocalDateSchema.optional(), recordedAt: Instant }),
    ),
    sales: z.array(
      z.object({
        saleId: z.string(),
        at: Instant,
        fills: z.array(z.object({ market: Market, quantity: z.string(), grossKrw: DecimalAmount })),
        feesKrw: DecimalAmount,
        roundingKrw: DecimalAmount.meta({
          description: 'Fractions of a won the exchange paid that cannot be applied to bills.',
        }),
      }),
    ),
    applications: z
      .array(
        z.object({
          source: z.string().meta({ description: 'The payment or sale the money came from.' }),
          at: Instant,
          allocations: z.array(
            z.object({ billId: z.string(), component: z.enum(['COST', 'TAX', 'SURCHARGE']), amount: Won }),
          ),
          refund: Won,
        }),
      )
      .meta({ description: 'How each won was applied, in the legal order (징수법 §4).' }),
    refunds: z.array(z.object({ source: z.string(), amount: Won, at: Instant })),
    refundPayable: Won,
    releases: z.array(
      z.object({
        market: Market,
        quantity: z.string(),
        reason: z.enum(['PAID', 'CANCELLED', 'SURPLUS', 'DUST']),
        at: Instant,
        status: z.enum(['PENDING', 'APPROVED', 'SENDING', 'SENT', 'DONE', 'FAILED']),
      }),
    ),
    notices: z.array(
      z.object({ noticeId: z.string(), kind: z.string(), createdAt: Instant, status: z.enum(['PENDING', 'SENT']) }),
    ),
    history: z.array(
      z.object({
        at: Instant,
        action: z.string(),
        before: Status.nullable(),
        after: Status,
        by: z.string(),
        reason: z.string().optional(),
        evidence: z
          .record(z.string(), z.string())
          .optional()
          .meta({ description: 'For a taxpayer’s sale request: who relayed it, when, how.' }),
      }),
    ),
    totals: z.object({
      paidIn: Won,
      saleGrossKrw: DecimalAmount,
      saleFeesKrw: DecimalAmount,
      allocated: Won,
      refunded: Won,
      outstanding: Won,
      outstandingProjected: Won,
    }),
  })
  .meta({
    id: 'Statement',
    description:
      'The taxpayer’s statement: bills, every payment and sale, fees, how each won was applied, refunds, coins released.',
  });

export const SummaryView = z
  .object({
    cityId: CityId,
    asOf: Instant,
    cases: z.object({ total: z.number().int(), byStatus: z.record(z.string(), z.number().int()) }),
    arrearsOutstanding: Won.meta({ description: 'Outstanding on open cases, as last recorded.' }),
    recoveredToDate: Won,
    refundPayable: Won,
    refunds: z
      .object({
        payable: Won.meta({ description: 'Made payable, not yet in a file.' }),
        instructed: Won.meta({ description: 'In a file for the finance system, not yet confirmed paid.' }),
        paid: Won,
      })
      .optional()
      .meta({ description: 'Refunds by state (every won in one): the outstanding ones are payable and instructed.' }),
    treasury: z
      .object({ atExchangeKrw: DecimalAmount, toMoveKrw: Won })
      .optional()
      .meta({ description: 'Sale proceeds still at the exchange, and the whole won to move to the treasury now.' }),
    custody: z
      .object({
        at: Instant,
        exchangeMatchesLedger: z.boolean(),
        salesRunning: z.boolean().meta({ description: 'A sale was running: fills may not be in the ledger yet.' }),
        differences: z.array(
          z.object({ currency: z.string(), exchange: z.string(), ledger: z.string(), difference: z.string() }),
        ),
      })
      .optional()
      .meta({
        description:
          'The latest custody reconciliation of the exchange account (shared by the cities of the deployment).',
      }),
    holdings: z.array(
      z.object({
        market: Market,
        available: z.string(),
        bid: z
          .string()
          .nullable()
          .meta({ description: 'Latest best bid from the price poller; null before its first poll.' }),
        valueKrw: Won.nullable(),
        pricedAt: Instant.nullable(),
        priceFlags: z
          .array(z.string())
          .optional()
          .meta({ description: 'Present when the poller flagged the price: STALE_PRICE, SOURCES_DISAGREE, NO_BOOK.' }),
      }),
    ),
    coverage: z
      .object({
        computedAt: Instant,
        asOf: LocalDateSchema,
        cases: z.record(z.string(), z.number().int()).meta({ description: 'Open cases by coverage state.' }),
        arrearsKrw: Won,
        valueKrw: Won,
        underCovered: z
          .array(CoverageLineView)
          .meta({ description: 'The least covered cases (UNDER or NO_COINS), lowest ratio first, at most 20.' }),
        overCovered: z.array(CoverageLineView).meta({
          description: 'The most over-covered cases (COVERED with a surplus), highest ratio first, at most 20.',
        }),
      })
      .nullable()
      .meta({
        description: 'Each open case’s coverage as the price poller last computed it; null before its first poll.',
      }),
  })
  .meta({ id: 'Summary' });

export const ProblemView = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string().optional().meta({ description: 'The domain rule that refused the request.' }),
    retryable: z.boolean().optional(),
    caseId: CaseId.optional().meta({
      description: 'The case already registered under the same city reference (409 on registration).',
    }),
    errors: z
      .array(
        z.object({
          in: z.enum(['body', 'query', 'path', 'header']),
          pointer: z.string().optional(),
          name: z.string().optional(),
          detail: z.string(),
        }),
      )
      .optional()
      .meta({ description: 'Each wrong field: a JSON pointer into the body, or the query, path or header name.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

// ---------------------------------------------------------------- city settings, audit trail

export const CitySettingsBody = z
  .strictObject({
    cityId: CityId,
    expectedVersion: z.number().int().min(1).nullable().meta({
      description:
        'The version read (GET /settings), or null when the city has none yet: a change over another is refused (409).',
    }),
    // Checked field by field by the domain's settings schema (CitySettingsSchema), the one every read uses too.
    settings: z.record(z.string(), z.unknown()).meta({
      description:
        'The city’s settings: display name, rounding, notice window, waiting period after custody, reminders, what notices print.',
    }),
  })
  .meta({ id: 'CitySettingsChange' });

export const CitySettingsView = z
  .object({
    cityId: CityId,
    version: z.number().int(),
    updatedAt: Instant,
    updatedBy: z.string(),
    settings: z.record(z.string(), z.unknown()),
    changes: z
      .array(z.object({ at: Instant, by: z.string(), version: z.number().int() }))
      .meta({ description: 'Every change, oldest first, with who made it.' }),
  })
  .meta({ id: 'CitySettings' });

export const AuditTrailView = z
  .object({
    cityId: CityId,
    caseId: CaseId,
    entries: z.array(
      z.object({
        at: Instant,
        action: z.string(),
        before: Status.nullable(),
        after: Status,
        actor: z.object({ kind: z.enum(['CITY_SYSTEM', 'OFFICER', 'TAXPAYER', 'SYSTEM']), id: z.string() }),
        reason: z.string().optional(),
        details: z.record(z.string(), z.string()),
      }),
    ),
  })
  .meta({
    id: 'AuditTrail',
    description: 'Every change to the case, oldest first, with who made it (an officer by verified identity).',
  });
// ---------------------------------------------------------------- releases (coins back to the taxpayer)

export const ReleaseParams = z.strictObject({
  caseId: CaseId,
  releaseId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,160}$/, { error: 'must be a release id, e.g. "<caseId>.v7.r0"' })
    .meta({ description: 'A release of the case: `<caseId>.v<version>.r<n>`.' }),
});
const AddressText = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' });
export const DestinationBody = z
  .strictObject({
    cityId: CityId,
    exchange: z.string().trim().min(1).max(60).meta({
      description:
        'Where the address is (the exchange or wallet, as the taxpayer named it); the account’s own exchange makes it an internal transfer.',
    }),
    netType: z
      .string()
      .trim()
      .min(1)
      .max(20)
      .regex(/^[A-Za-z0-9_-]+$/)
      .meta({ description: 'The network, as the exchange names it (e.g. BTC, ETH, XRP).' }),
    address: AddressText.meta({
      description: 'The taxpayer’s address, registered on the city’s exchange account beforehand.',
    }),
    secondaryAddress: AddressText.optional().meta({
      description: 'Memo / destination tag, when the network uses one.',
    }),
  })
  .meta({
    id: 'ReleaseDestination',
    description: 'The taxpayer’s destination, recorded by an officer; earlier approvals are void.',
  });
export const ReleaseApprovalBody = z
  .strictObject({ cityId: CityId })
  .meta({ id: 'ReleaseApproval', description: 'One officer’s approval; two different officers must approve.' });
export const ReleaseView = z
  .object({
    caseId: z.string(),
    releaseId: z.string(),
    market: Market,
    quantity: z.string(),
    reason: z.enum(['PAID', 'CANCELLED', 'SURPLUS', 'DUST']),
    status: z.enum(['PENDING', 'APPROVED', 'SENDING', 'SENT', 'DONE', 'FAILED']),
    destination: z
      .object({
        exchange: z.string(),
        netType: z.string(),
        address: z.string(),
        secondaryAddress: z.string().optional(),
        recordedBy: z.string(),
        recordedAt: Instant,
      })
      .optional(),
    approvals: z.array(z.object({ by: z.string(), at: Instant })),
    withdrawal: z
      .object({
        uuid: z.string().optional(),
        state: z.string().optional(),
        amount: z.string(),
        fee: z.string(),
        txid: z.string().optional(),
        sendingAt: Instant,
      })
      .optional(),
    failure: z.string().optional(),
    createdAt: Instant,
  })
  .meta({ id: 'Release' });
export const ReleaseListView = z.object({ items: z.array(ReleaseView) }).meta({ id: 'ReleaseList' });

// ---------------------------------------------------------------- sale runs (the officers' console)

export const SaleListQuery = z.strictObject({
  city: CityId,
  state: z
    .enum(['SELLING', 'SETTLED', 'SHORTFALL'])
    .optional()
    .meta({ description: 'The cases’ state: SELLING (running, the default), SETTLED or SHORTFALL (finished).' }),
  awaitingApproval: z
    .enum(['true', 'false'])
    .optional()
    .meta({ description: 'true: only sales waiting for an officer’s approval.' }),
  cursor: z.string().max(2000).optional().meta({ description: 'The cursor of the previous page.' }),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 50' })
    .int({ error: 'must be a whole number from 1 to 50' })
    .min(1)
    .max(50)
    .optional()
    .meta({ description: 'Page size (default 20).' }),
});

export const SaleDetailQuery = z.strictObject({
  city: CityId,
  execution: z
    .string()
    .regex(/^(0|[1-9]\d{0,3})$/, {
      error: 'must be an execution number from `executions`: 0 for the first',
      abort: true,
    })
    .transform(Number)
    .optional()
    .meta({
      description:
        'Which of the sale’s executions to show state by state: 0 the first, n its n-th continuation (default: the current one).',
    }),
});

export const SaleRunView = z
  .object({
    cityId: CityId,
    caseId: CaseId,
    saleId: z.string(),
    status: z
      .enum(['RUNNING', 'AWAITING_APPROVAL', 'ESCALATED', 'SETTLING', 'SETTLED', 'FAILED'])
      .meta({ description: 'The sale’s state as its workflow recorded it.' }),
    caseStatus: Status,
    requestedBy: z.enum(['DEADLINE', 'TAXPAYER']),
    startedAt: Instant,
    endedAt: Instant.optional(),
    needAtStartKrw: DecimalAmount,
    plannedValueKrw: DecimalAmount.optional(),
    markets: z.array(z.string()).optional(),
    approval: z.object({
      needed: z.number().int().meta({ description: 'Different officers who must approve (0: none).' }),
      requestedAt: Instant.optional(),
      plannedValueKrw: DecimalAmount.optional(),
      approvedBy: z.array(z.object({ by: z.string(), at: Instant })),
      interested: z
        .array(z.string())
        .meta({ description: 'Who may not approve: who asked for the sale or last changed its bills or holds.' }),
    }),
    slices: z.number().int(),
    pauses: z.number().int(),
    escalation: z.object({ at: Instant, market: z.string(), reason: z.string() }).optional(),
    stopReason: z.string().optional(),
    error: z.string().optional(),
    outcome: Status.optional(),
    quality: z.record(z.string(), z.string()).optional().meta({
      description: 'Sale-quality figures once settled (slippage, shortfall in basis points, overshoot in won).',
    }),
  })
  .meta({ id: 'SaleRun' });

export const SaleListView = z
  .object({
    items: z.array(SaleRunView),
    cursor: z.string().optional().meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' }),
    ...CutShort,
  })
  .meta({ id: 'SaleRunList' });

/** One of a sale's or a desk's executions: its name and which continuation or run it is. */
export const ExecutionRef = z.object({
  name: z.string(),
  continuation: z
    .number()
    .int()
    .optional()
    .meta({ description: 'A sale’s execution: 0 the first, n the n-th continuation (`_c<n>`).' }),
  run: z.number().int().optional().meta({ description: 'A desk’s execution: the run of the day it is.' }),
});

/** A Step Functions execution state by state (a sale's or a desk's), from its execution history. */
export const ExecutionStatesView = ExecutionRef.extend({
  status: z.string().meta({ description: 'Step Functions’ status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED.' }),
  startedAt: Instant.optional(),
  stoppedAt: Instant.optional(),
  states: z.array(
    z.object({
      state: z.string(),
      type: z.string(),
      enteredAt: Instant,
      exitedAt: Instant.optional(),
      status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
      failures: z.number().int().meta({ description: 'Failed attempts within the visit (retried or final).' }),
      error: z.string().optional(),
    }),
  ),
  truncated: z.boolean().meta({ description: 'Earlier states were left out: only the latest are listed.' }),
}).meta({ id: 'ExecutionStates' });

export const SaleDetailView = SaleRunView.extend({
  arrival: z
    .object({
      decidedAt: Instant,
      needKrw: DecimalAmount,
      legs: z.array(z.object({ market: z.string(), quantity: z.string() })),
      mids: z.record(z.string(), z.string()),
    })
    .optional(),
  pauseLog: z.array(
    z.object({ at: Instant, market: z.string(), reason: z.string(), action: z.enum(['PAUSE', 'ESCALATE', 'WAIT']) }),
  ),
  slicesLog: z.array(
    z.object({
      identifier: z.string(),
      slice: z.number().int(),
      market: z.string(),
      plannedAt: Instant,
      sentAt: Instant.optional(),
      status: z.string(),
      limitPrice: z.string(),
      referencePrice: z.string(),
      binding: z.string(),
      volume: z.string(),
      executedVolume: z.string(),
      grossKrw: DecimalAmount,
      feeKrw: DecimalAmount,
      firstTradeAt: Instant.optional(),
      exchangeState: z.string().optional(),
      deskId: z
        .string()
        .optional()
        .meta({ description: 'The case’s share of this desk’s order (GET /sale-desks/{deskId}): sold pooled.' }),
    }),
  ),
  executions: z.array(ExecutionRef).meta({
    description:
      'The sale’s executions, first to current: a long sale goes on in a new execution each day (`_c<n>`). Pass `continuation` as `execution` to see one state by state.',
  }),
  execution: ExecutionStatesView.optional().meta({
    description:
      'The execution asked for (default the current one), state by state as Step Functions ran it (its execution history; the latest states only). Absent when it cannot be read.',
  }),
}).meta({ id: 'SaleDetail' });

export const NoticeListView = z
  .object({
    cityId: CityId,
    caseId: CaseId,
    items: z.array(
      z.object({
        noticeId: z.string(),
        kind: z.string(),
        createdAt: Instant,
        status: z.string(),
        channel: z.string().optional(),
        title: z.string(),
        body: z.string().meta({ description: 'The notice’s Korean text as rendered for the taxpayer.' }),
      }),
    ),
  })
  .meta({ id: 'NoticeList' });
// ---------------------------------------------------------------- refunds and proceeds (money out)

const Reference = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be 1-64 printable ASCII characters without spaces' });
export const RefundParams = z.strictObject({
  instructionId: z
    .string()
    .regex(/^RF-\d{8}-[A-Za-z0-9_-]{1,64}$/, { error: 'must be a refund instruction id, e.g. "RF-20250902-c01JZ8…"' })
    .meta({ description: 'The instruction id, as in the day’s refund file.' }),
});
export const RefundPaymentBody = z
  .strictObject({
    cityId: CityId,
    paidOn: LocalDateSchema.meta({
      description: 'The day the finance system paid the refund (not before the file’s day, not after today).',
    }),
    reference: Reference.meta({
      description: 'The finance system’s payment reference (its transaction or voucher number).',
    }),
  })
  .meta({ id: 'RefundPayment', description: 'The city’s finance system paid a refund it was instructed to pay.' });
export const RefundView = z
  .object({
    instructionId: z.string(),
    caseId: CaseId,
    cityCaseRef: z.string(),
    taxpayerRef: z.string(),
    amount: Won,
    day: LocalDateSchema.meta({ description: 'The day of the file that carries it.' }),
    fileKey: z.string().meta({ description: 'The file’s key in the bucket.' }),
    status: z.enum(['INSTRUCTED', 'PAID']),
    paid: z.object({ on: LocalDateSchema, reference: z.string(), by: z.string(), at: Instant }).optional(),
  })
  .meta({ id: 'Refund' });
export const RefundListQuery = z.strictObject({ city: CityId, status: z.enum(['INSTRUCTED', 'PAID']).optional() });
export const RefundListView = z.object({ items: z.array(RefundView) }).meta({ id: 'RefundList' });

export const TreasuryQuery = z.strictObject({
  city: CityId,
  day: LocalDateSchema.optional().meta({ description: 'Default: today in Korea.' }),
});
export const TransferBody = z
  .strictObject({
    cityId: CityId,
    day: LocalDateSchema.meta({
      description: 'The proceeds’ day: everything settled up to it that was still at the exchange.',
    }),
    amount: PositiveWon.meta({ description: 'Exactly the KRW to move for the day (GET /treasury).' }),
    reference: Reference.meta({ description: 'The exchange’s KRW withdrawal id or the bank’s transfer reference.' }),
  })
  .meta({
    id: 'TreasuryTransfer',
    description: 'An officer confirms that the proceeds moved from the exchange to the city’s treasury account.',
  });
export const TreasuryView = z
  .object({
    cityId: CityId,
    day: LocalDateSchema,
    proceedsKrw: DecimalAmount.meta({ description: 'What the day’s settlements left at the exchange (gross − fee).' }),
    atExchangeKrw: DecimalAmount.meta({
      description: 'Proceeds up to the day still at the exchange (settlements less confirmed transfers).',
    }),
    toMoveKrw: Won.meta({ description: 'Whole won to move now (0 once moved; a fraction of a won waits).' }),
    transfer: z
      .object({ amount: Won, reference: z.string(), by: z.string(), at: Instant })
      .optional()
      .meta({ description: 'The day’s confirmed transfer.' }),
  })
  .meta({ id: 'Treasury' });

// ---------------------------------------------------------------- the sale desks (docs/SALE-DESK.md)

export const DeskListQuery = z.strictObject({
  city: CityId,
  day: LocalDateSchema.optional().meta({ description: 'The Korean day (default: today in Korea).' }),
  market: Market.optional().meta({
    description: 'Only the desk of this market, with its members and a page of its orders (newest first).',
  }),
  // Digits only: a desk's orders are numbered by slice, and a page goes on below the slice given.
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,6}$/, { error: 'must be a slice number from a previous page', abort: true })
    .transform(Number)
    .optional()
    .meta({ description: 'With market: the cursor of the previous page (the orders before this slice).' }),
  limit: z
    .string()
    .regex(/^[1-9]\d?$/, { error: 'must be a whole number from 1 to 50', abort: true })
    .transform(Number)
    .pipe(z.number().max(50, { error: 'must be a whole number from 1 to 50' }))
    .optional()
    .meta({ description: 'With market: orders per page (default 20).' }),
  run: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, { error: 'must be a run of the desk that day, from 1', abort: true })
    .transform(Number)
    .optional()
    .meta({
      description:
        'With market: which run’s execution to show state by state (default: the current run; a run the desk has not had shows none).',
    }),
  memberCursor: CaseId.optional().meta({
    description: 'With market: the `memberCursor` of the previous page of members (the members after this case).',
  }),
  memberLimit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, { error: 'must be a whole number from 1 to 100', abort: true })
    .transform(Number)
    .pipe(z.number().max(100, { error: 'must be a whole number from 1 to 100' }))
    .optional()
    .meta({ description: 'With market: members per page (default 50), by case id.' }),
});

export const DeskSummaryView = z
  .object({
    cityId: CityId,
    deskId: z.string(),
    market: z.string(),
    day: LocalDateSchema,
    status: z.enum(['RUNNING', 'ENDED']),
    run: z
      .number()
      .int()
      .meta({ description: 'Runs of the desk this day (a desk joined again after it ended runs again).' }),
    execution: z.string().meta({ description: 'The current run’s Step Functions execution.' }),
    startedAt: Instant,
    endedAt: Instant.optional(),
    lastDecision: z.object({ at: Instant, action: z.string(), reason: z.string().optional() }).optional(),
    members: z.object({ active: z.number().int(), withdrawn: z.number().int(), done: z.number().int() }).meta({
      description: 'Cases in the desk: still selling through it, withdrawn (hold, payment, stop, covered), done.',
    }),
    slices: z.number().int().meta({ description: 'Orders planned (the desk’s slice counter).' }),
    openOrders: z.number().int().meta({ description: 'Orders not yet final (on the way or in doubt).' }),
    orders: z.number().int().meta({ description: 'Orders final or in doubt.' }),
    soldQuantity: z.string(),
    grossKrw: DecimalAmount,
    arrivalMid: z.string().optional().meta({ description: 'The mid when the desk first sold this day.' }),
    arrivalValueKrw: DecimalAmount.meta({ description: 'What the coins sold were worth at the arrival mid.' }),
    maxParticipation: z
      .string()
      .meta({ description: 'The largest share of the market’s volume per minute one desk order took (estimated).' }),
  })
  .meta({ id: 'SaleDesk' });

const CaseShare = z.object({
  caseId: CaseId,
  offered: z.string().meta({ description: 'What the case offered this order.' }),
  floorPrice: z.string().optional(),
  quantity: z.string().optional().meta({ description: 'What it received once the order was final.' }),
  grossKrw: DecimalAmount.optional(),
  feeKrw: DecimalAmount.optional(),
});

/** One desk with its members and a page of its orders (GET /sale-desks with market). */
export const DeskDetailView = DeskSummaryView.extend({
  memberList: z.array(
    z.object({
      caseId: CaseId,
      saleId: z.string(),
      status: z.enum(['ACTIVE', 'WITHDRAWN', 'DONE']),
      reason: z.string().optional(),
      joinedAt: Instant,
      offered: z.string().meta({ description: 'Coins the case offered the desk in all.' }),
      floorPrice: z.string().optional(),
      sold: z.string().meta({ description: 'Coins the desk’s final orders sold of it.' }),
    }),
  ),
  orderList: z.array(
    z.object({
      identifier: z.string(),
      slice: z.number().int(),
      plannedAt: Instant,
      sentAt: Instant.optional(),
      status: z.string(),
      limitPrice: z.string(),
      binding: z.string(),
      volume: z.string(),
      executedVolume: z.string(),
      grossKrw: DecimalAmount,
      feeKrw: DecimalAmount,
      participation: z.string().optional().meta({ description: 'Its fill over the market’s volume per minute.' }),
      absentReason: z.string().optional(),
      shares: z.array(CaseShare).meta({ description: 'Each case’s share: what it offered and, once final, received.' }),
    }),
  ),
  cursor: z
    .string()
    .optional()
    .meta({ description: 'Pass as `cursor` for the earlier orders; absent on the last page.' }),
  memberCursor: z
    .string()
    .optional()
    .meta({ description: 'Pass as `memberCursor` for the next members; absent on the last page of members.' }),
  runs: z.array(ExecutionRef).meta({ description: 'The desk’s executions of the day, first run to current.' }),
  executionStates: ExecutionStatesView.optional().meta({
    description:
      'The run asked for (default the current one), state by state as Step Functions ran it (the latest states only). Absent when it cannot be read.',
  }),
}).meta({ id: 'SaleDeskDetail' });

export const DeskListView = z
  .object({
    items: z.array(z.union([DeskDetailView, DeskSummaryView])).meta({
      description:
        'The day’s desks by market; with market, that desk alone, with its members and a page of its orders.',
    }),
  })
  .meta({ id: 'SaleDeskList' });
