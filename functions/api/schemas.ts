/**
 * Every body, query and path the API accepts, and every answer it gives, as zod schemas. The
 * router validates with them and openapi.ts documents them: one source, so neither can drift.
 * Won are whole numbers written as strings of digits; quantities and prices are decimal strings:
 * a JSON number (a float to most clients) is refused.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { isLocalDate } from '#domain/dates';
import { CASE_STATUSES } from '#domain/case-status';

// The messages zod gives for checks without their own (a length, an enum, a literal) are the English
// locale's; zod's mini build loads no locale by itself (its classic build loads this one), and callers
// read these messages in the problem's errors.
z.config(en()); // the one locale, imported alone: `z.locales` would bring all of them into the bundle

/**
 * A copy of the schema with its own OpenAPI metadata (a description, an example, a component `id`)
 * in zod's global registry, where `z.toJSONSchema` reads it (openapi.ts). The copy inherits the
 * original's metadata but never its `id`, as classic zod's `.meta()` does; the original is unchanged.
 */
export function withMeta<T extends z.core.$ZodType>(schema: T, meta: z.core.GlobalMeta): T {
  const copy = z.clone(schema);
  z.globalRegistry.add(copy, meta);
  return copy;
}

// ---------------------------------------------------------------- scalars

export const WON_PATTERN = /^(0|[1-9]\d{0,17})$/;
const DECIMAL_PATTERN = /^(0|[1-9]\d{0,19})(\.\d{1,18})?$/;

export const Won = withMeta(
  z.string().check(
    z.regex(WON_PATTERN, {
      error:
        'must be a whole, non-negative number of won written as digits, e.g. "150000" (no sign, fraction, separator or exponent)',
      abort: true,
    }),
  ),
  { description: 'Won: a whole number written as a string of digits.', example: '150000' },
);

export const PositiveWon = withMeta(Won.check(z.refine((v) => v !== '0', { error: 'must be more than 0 won' })), {
  description: 'Won, more than zero, as a string of digits.',
  example: '150000',
});

export const Quantity = withMeta(
  z.string().check(
    z.regex(DECIMAL_PATTERN, {
      error: 'must be a decimal written as a string, e.g. "0.05" (no sign or exponent, at most 18 decimals)',
      abort: true,
    }),
    z.refine((v) => /[1-9]/.test(v), { error: 'must be more than 0' }),
  ),
  { description: 'A coin quantity as a decimal string.', example: '0.05' },
);

export const Price = withMeta(
  z.string().check(
    z.regex(DECIMAL_PATTERN, { error: 'must be a decimal written as a string, e.g. "140000000"', abort: true }),
    z.refine((v) => /[1-9]/.test(v), { error: 'must be more than 0' }),
  ),
  { description: 'A price in won per coin as a decimal string.', example: '140000000' },
);

/** An amount as executed on the exchange: may carry fractions of a won. */
export const DecimalAmount = withMeta(z.string(), {
  description: 'An amount in won as a decimal string (exchange executions may carry fractions of a won).',
  example: '7000000.5',
});

/** A page size in the query: 1 to 100, digits only (Number() would also read "0x10", "1e1" or " 5 "). */
const pageSize = (description: string) =>
  withMeta(
    z.optional(
      z.pipe(
        z.pipe(
          z.string().check(z.regex(/^[1-9]\d{0,2}$/, { error: 'must be a whole number from 1 to 100', abort: true })),
          z.transform(Number),
        ),
        z.number().check(z.lte(100, { error: 'must be a whole number from 1 to 100' })),
      ),
    ),
    { description },
  );

const FIRST_DATE = '2000-01-01';
const LAST_DATE = '2099-12-31';

export const LocalDateSchema = withMeta(
  z.string().check(
    z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD', abort: true }),
    z.refine(isLocalDate, { error: 'is not a calendar date', abort: true }),
    // Older bills are long time-barred, and nothing the API records can be dated a century ahead.
    z.refine((v) => v >= FIRST_DATE && v <= LAST_DATE, { error: `must be from ${FIRST_DATE} to ${LAST_DATE}` }),
  ),
  { description: 'A calendar date in Korea (YYYY-MM-DD).', format: 'date', example: '2025-10-16' },
);

/** A date of birth: a calendar date from 1900 on (the dates a case records start in 2000). */
const BirthDate = z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD', abort: true }),
  z.refine(isLocalDate, { error: 'is not a calendar date', abort: true }),
  z.refine((v) => v >= '1900-01-01' && v <= LAST_DATE, { error: `must be from 1900-01-01 to ${LAST_DATE}` }),
);

export const Instant = withMeta(z.string(), {
  description: 'An instant, ISO 8601 in UTC.',
  format: 'date-time',
  example: '2025-09-01T00:00:00.000Z',
});

export const CityId = withMeta(
  z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: 'must be a city id: lower-case letters, digits and "-"' })),
  {
    description: 'The city (local government) the case belongs to; one this deployment serves.',
    example: 'cheongju',
  },
);

export const CaseId = withMeta(
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a case id (letters, digits, "_" or "-")' })),
  { description: 'The case id this API assigned at registration.', example: 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W' },
);

const RecordId = (what: string, example: string) =>
  withMeta(
    z
      .string()
      .check(z.regex(/^[A-Za-z0-9._-]{1,64}$/, { error: `must be ${what}: 1-64 letters, digits, ".", "_" or "-"` })),
    { description: what, example },
  );

export const BillId = RecordId('the city system’s bill id', 'B-2025-000123');
export const CityCaseRef = RecordId(
  'the city system’s own reference for the case (its case number): one open case per reference and city',
  'CH-2025-004711',
);
export const PaymentId = RecordId('the city system’s payment (receipt) id', 'RCPT-2025-000123');
export const HoldId = RecordId('a hold id this API assigned', 'h01JZ8X4E7Q2M3N4P5R6S7T8V9W');

export const Market = withMeta(
  z.string().check(z.regex(/^KRW-[A-Z0-9]{1,15}$/, { error: 'must be a KRW market code, e.g. "KRW-BTC"' })),
  { description: 'Exchange market code.', example: 'KRW-BTC' },
);

export const Status = withMeta(z.enum(CASE_STATUSES), { description: 'Where the case is in its lifecycle.' });
export const HoldKind = withMeta(z.enum(['APPEAL', 'LAWSUIT', 'COLLECTION_DEFERRAL', 'DISPOSITION_DEFERRAL']), {
  description: 'Appeal or lawsuit (징수법 §71⑤), collection deferral (§28③), disposition deferral (§105).',
});

/** Control characters and the bidirectional formatting characters that can make a printed name or reason read otherwise than it is stored. */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const Text = (max: number, description: string) =>
  withMeta(
    z.string().check(
      // Counted before trimming too: padding is no way around the limit.
      z.maxLength(max, { error: `must be at most ${max} characters`, abort: true }),
      z.refine((v) => !UNPRINTABLE.test(v), {
        error: 'must not contain control characters or bidirectional formatting characters',
        abort: true,
      }),
      z.trim(),
      z.minLength(1, { error: 'must not be empty' }),
    ),
    { description },
  );

// ---------------------------------------------------------------- requests

export const BillInput = withMeta(
  z.strictObject({
    billId: BillId,
    taxItem: Text(60, 'The tax item, e.g. 지방소득세, 자동차세, 재산세.'),
    provincial: withMeta(z._default(z.boolean(), false), {
      description: 'A provincial tax the city collects on delegation (applied first, 징수법 §4②).',
    }),
    liabilityDate: withMeta(z.optional(LocalDateSchema), {
      description: 'When the liability arose (picks the surcharge regime); defaults to the due date.',
    }),
    dueDate: LocalDateSchema,
    cost: withMeta(Won, { description: '체납처분비 (disposition costs) assessed, won.' }),
    tax: withMeta(Won, { description: 'Tax without surcharges assessed, won.' }),
    surcharge: withMeta(Won, { description: 'Surcharges (가산세/가산금) assessed up to surchargeAsOf, won.' }),
    surchargeAsOf: withMeta(LocalDateSchema, {
      description: 'The date up to which the surcharge already counts accruals.',
    }),
  }),
  {
    id: 'BillInput',
    description: 'A bill as the city assessed it; payments recorded here are kept when the city updates it.',
  },
);

export const RegisterCaseBody = withMeta(
  z.strictObject({
    cityId: CityId,
    cityCaseRef: CityCaseRef,
    taxpayer: z.strictObject({
      ref: Text(64, 'The city system’s taxpayer reference (never a resident registration number).'),
      name: Text(100, 'Name for notices.'),
      contact: z
        .strictObject({
          phone: z.optional(Text(30, 'Mobile number for SMS / alimtalk.')),
          email: withMeta(z.optional(z.email({ error: 'must be an e-mail address' }).check(z.maxLength(254))), {
            description:
              'Only for a taxpayer who applied for electronic service (지방세기본법 §30): notices then go by e-mail.',
          }),
          address: z.optional(Text(300, 'Postal address.')),
        })
        // Every notice must reach the taxpayer: by post, or by e-mail where they applied for it.
        .check(
          z.refine((c) => c.address !== undefined || c.email !== undefined, {
            error: 'needs a postal address or an e-mail address: notices must reach the taxpayer',
            path: ['address'],
          }),
        ),
    }),
    bills: z
      .array(BillInput)
      .check(
        z.minLength(1, { error: 'must list at least one bill' }),
        z.maxLength(500, { error: 'must list at most 500 bills' }),
      ),
  }),
  { id: 'RegisterCase' },
);

export const UpdateBillsBody = withMeta(
  z.strictObject({
    cityId: CityId,
    bills: z.array(BillInput).check(z.minLength(1, { error: 'must list at least one bill' }), z.maxLength(500)),
  }),
  { id: 'UpdateBills', description: 'The city’s current amounts; bills not listed stay as they are.' },
);

export const SeizuresBody = withMeta(
  z.strictObject({
    cityId: CityId,
    seizures: z
      .array(
        z.strictObject({
          exchange: withMeta(z._default(z.enum(['UPBIT']), 'UPBIT'), {
            description: 'The exchange holding the coins (the city’s account is on Upbit).',
          }),
          market: Market,
          quantity: Quantity,
        }),
      )
      .check(z.minLength(1, { error: 'must list at least one seizure' }), z.maxLength(50)),
  }),
  { id: 'Seizures', description: 'Coins seized and the transfer demand to the exchange (징수법 §61③).' },
);

export const CustodyBody = withMeta(z.strictObject({ cityId: CityId, market: Market, quantity: Quantity }), {
  id: 'Custody',
  description: 'Coins that reached the city’s account.',
});

export const PaymentBody = withMeta(
  z.strictObject({ cityId: CityId, paymentId: PaymentId, amount: PositiveWon, receivedOn: LocalDateSchema }),
  { id: 'Payment', description: 'A payment the city received; applied in the legal order (징수법 §4).' },
);

export const SaleRequestBody = withMeta(
  z.strictObject({
    cityId: CityId,
    limitPrices: withMeta(z._default(z.record(Market, Price), {}), {
      description: 'The taxpayer’s floor price per coin, by market.',
    }),
    evidence: withMeta(
      z.strictObject({
        relayedBy: Text(200, 'The city employee (or system) who received the taxpayer’s request and relayed it.'),
        receivedAt: withMeta(
          z.iso.datetime({ offset: true, error: 'must be an ISO 8601 instant with a zone', abort: true }).check(
            z.refine((v) => Date.parse(v) >= Date.parse(`${FIRST_DATE}T00:00:00+09:00`), {
              error: `must be from ${FIRST_DATE}`,
            }),
          ),
          { description: 'When the taxpayer made the request.' },
        ),
        channel: withMeta(z.enum(['IN_PERSON', 'PHONE', 'MAIL', 'EMAIL', 'ONLINE']), {
          description: 'How the taxpayer asked.',
        }),
        reference: z.optional(Text(200, 'The city’s reference to the written request, call record or form.')),
      }),
      {
        description:
          'That the taxpayer asked: who relayed it, when, how. Recorded with the case and in its audit trail.',
      },
    ),
  }),
  { id: 'SaleRequest', description: 'The taxpayer asks the city to sell now, before the deadline.' },
);

export const HoldBody = withMeta(
  z.strictObject({ cityId: CityId, kind: HoldKind, reason: Text(500, 'Why, for the audit trail.') }),
  { id: 'Hold' },
);

export const CancelBody = withMeta(
  z.strictObject({ cityId: CityId, reason: Text(500, 'Why the city withdrew the bills.') }),
  { id: 'Cancel' },
);

export const PreSaleNoticeBody = withMeta(z.strictObject({ cityId: CityId }), {
  id: 'PreSaleNoticeNow',
  description: 'An officer sends the case’s pre-sale notice now, whatever the city’s waiting period after custody.',
});

export const HoldBackBody = withMeta(
  z.strictObject({ cityId: CityId, reason: Text(500, 'Why the notice waits, for the audit trail.') }),
  {
    id: 'PreSaleNoticeHoldBack',
    description:
      'An officer holds the pre-sale notice back: the daily run skips the case until the hold-back is released.',
  },
);

export const DeliveryBody = withMeta(
  z.discriminatedUnion('outcome', [
    z.strictObject({ cityId: CityId, outcome: z.literal('DELIVERED'), on: LocalDateSchema }),
    z.strictObject({
      cityId: CityId,
      outcome: z.literal('FAILED'),
      on: LocalDateSchema,
      reason: Text(500, 'The post office’s reason: address unknown, refused, absent and returned.'),
    }),
  ]),
  {
    id: 'NoticeDelivery',
    description:
      'The outcome of delivering the pre-sale notice, as the post office reported it. Delivered: the deadline runs from that day (지방세기본법 §32).',
  },
);

export const PublicNoticeBody = withMeta(z.strictObject({ cityId: CityId, postedOn: LocalDateSchema }), {
  id: 'PublicNotice',
  description:
    'After a failed delivery, public notice (공시송달, 지방세기본법 §33) posted on a date: it takes effect 14 days later.',
});

export const TaxpayerCheckBody = withMeta(
  z.strictObject({
    cityId: CityId,
    birthDate: withMeta(BirthDate, {
      description: 'The taxpayer’s date of birth as the city holds it (from the resident registration).',
      example: '1980-04-17',
    }),
  }),
  {
    id: 'TaxpayerCheck',
    description: 'The second check of the self-service page; only its peppered HMAC is stored.',
  },
);

export const TaxpayerCheckView = withMeta(z.object({ cityId: CityId, caseId: CaseId, setAt: Instant }), {
  id: 'TaxpayerCheckSet',
});

export const CaseParams = z.strictObject({ caseId: CaseId });
export const NoticeParams = z.strictObject({
  caseId: CaseId,
  noticeId: RecordId('a notice id', 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W.v4.0.PRE_SALE'),
});
export const HoldParams = z.strictObject({ caseId: CaseId, holdId: HoldId });

export const SaleId = withMeta(
  z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'must be a sale id, e.g. "<caseId>-sale-1"' })),
  {
    description: 'A sale attempt of the case: `<caseId>-sale-<n>`.',
    example: 'c01JZ8X4E7Q2M3N4P5R6S7T8V9W-sale-1',
  },
);
export const SaleParams = z.strictObject({ caseId: CaseId, saleId: SaleId });

export const SaleApprovalBody = withMeta(z.strictObject({ cityId: CityId }), {
  id: 'SaleApproval',
  description:
    'An officer approves the running sale, planned at or above the approval threshold; the approving officer is the caller.',
});
export const SaleStopBody = withMeta(
  z.strictObject({ cityId: CityId, reason: Text(500, 'Why the officer ends the sale, for the audit trail.') }),
  { id: 'SaleStop', description: 'An officer ends the running sale; the officer is the caller.' },
);
export const CityQuery = z.strictObject({ city: CityId });
export const ListQuery = z.strictObject({
  city: CityId,
  status: z.optional(Status),
  cursor: withMeta(
    z.optional(
      z
        .string()
        .check(z.minLength(1, { error: 'must not be empty: leave it out for the first page' }), z.maxLength(2000)),
    ),
    { description: 'The cursor of the previous page.' },
  ),
  limit: pageSize('Page size (default 50).'),
  // The console's filters apply to the whole listing: a page holds only matches, and its cursor goes on over them
  // (a page holds fewer than `limit` only when the listing ends or 500 cases were read for it: follow the cursor).
  detail: withMeta(z.optional(z.enum(['true', 'false'])), {
    description:
      'true: each item also names the taxpayer reference, the markets held and the coverage (implied by any filter below).',
  }),
  coin: withMeta(
    z.optional(z.string().check(z.regex(/^[A-Z0-9]{1,12}$/, { error: 'must be a currency code such as BTC' }))),
    { description: 'Only cases holding this coin.' },
  ),
  coverage: withMeta(z.optional(z.enum(['UNDER', 'COVERED', 'NOTHING_OWED', 'NO_COINS', 'UNPRICED'])), {
    description: 'Only cases in this coverage band (from the price poller’s latest coverage sheet).',
  }),
  deadlineWithinDays: withMeta(
    z.optional(
      z.pipe(
        z.pipe(
          z
            .string()
            .check(
              z.regex(/^(0|[1-9]\d{0,3})$/, { error: 'must be a whole number of days from 0 to 3650', abort: true }),
            ),
          z.transform(Number),
        ),
        z.number().check(z.lte(3650, { error: 'must be a whole number of days from 0 to 3650' })),
      ),
    ),
    { description: 'Only cases whose deadline falls within this many days from today (KST).' },
  ),
  taxpayerRef: z.optional(Text(64, 'Only the cases of this taxpayer reference (or this city case reference).')),
});

export const TaxpayerAccessQuery = z.strictObject({
  city: CityId,
  cursor: ListQuery.shape.cursor,
  limit: ListQuery.shape.limit,
});

export const TaxpayerAccessView = withMeta(
  z.object({
    items: z.array(
      z.object({
        at: Instant,
        outcome: withMeta(
          z.enum([
            'CHECK_PASSED',
            'CHECK_FAILED',
            'LOCKED',
            'EXPIRED',
            'NO_CHECK',
            'READ',
            'SALE_PLAN',
            'SALE_REQUEST',
          ]),
          {
            description:
              'What happened: the second check passed or failed, the link or case was locked, the link had expired, the case had no check; or, in a session, the statement read, a sale plan shown, a sale asked for.',
          },
        ),
        noticeId: withMeta(z.string(), { description: 'The notice whose link was used.' }),
        route: withMeta(z.string(), { description: 'The page’s API route.' }),
        requestId: z.string(),
      }),
    ),
    cursor: withMeta(z.optional(z.string()), {
      description: 'Pass as `cursor` for the next page; absent on the last page.',
    }),
  }),
  {
    id: 'TaxpayerAccessLog',
    description: 'The taxpayer self-service page’s accesses to a case, newest first (no personal data is kept).',
  },
);

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': withMeta(z.string().check(z.minLength(1), z.maxLength(255)), {
    description:
      'Required on every POST, PUT and DELETE. A repeat with the same key and request returns the first answer and changes nothing.',
    example: '7f1c0e5e-1f43-4a53-9d61-5b1b9d3c2a10',
  }),
});

// ---------------------------------------------------------------- responses

const Amounts = z.object({ assessed: Won, paid: Won, outstanding: Won });

export const BillView = withMeta(
  z.object({
    billId: z.string(),
    taxItem: z.string(),
    provincial: z.boolean(),
    liabilityDate: z.optional(LocalDateSchema),
    dueDate: LocalDateSchema,
    surchargeAsOf: LocalDateSchema,
    cost: Amounts,
    tax: Amounts,
    surcharge: Amounts,
  }),
  { id: 'Bill' },
);

export const HoldingView = withMeta(
  z.object({
    market: Market,
    seized: Quantity,
    inCustody: z.string(),
    sold: z.string(),
    released: z.string(),
    available: z.string(),
  }),
  { id: 'Holding', description: 'Coin quantities as decimal strings.' },
);

export const HoldView = withMeta(
  z.object({
    holdId: z.string(),
    kind: HoldKind,
    reason: z.string(),
    from: LocalDateSchema,
    to: z.optional(LocalDateSchema),
    active: z.boolean(),
  }),
  { id: 'HoldRecord' },
);

const CoverageState = withMeta(z.enum(['UNDER', 'COVERED', 'NOTHING_OWED', 'NO_COINS', 'UNPRICED']), {
  id: 'CoverageState',
  description:
    'UNDER: the coins at the bid do not reach the arrears; COVERED: they do (surplus goes back to the taxpayer); NO_COINS: nothing held; UNPRICED: a held market has no bid.',
});

const CoverageFigures = {
  state: CoverageState,
  ratio: withMeta(z.nullable(z.string()), {
    description:
      'Value at the bid / arrears projected to asOf, cut to 4 places; null when nothing is owed or a market is unpriced.',
  }),
  arrearsKrw: withMeta(Won, { description: 'Arrears projected to asOf (surcharges included).' }),
  valueKrw: withMeta(Won, { description: 'Coins held, at the latest best bid, before fees.' }),
  shortfallKrw: Won,
  surplusKrw: Won,
  unpriced: z.array(Market),
  flagged: withMeta(z.array(Market), {
    description: 'Markets valued at a price the poller flagged (stale, sources disagree).',
  }),
};

export const CoverageLineView = withMeta(z.object({ caseId: CaseId, status: Status, ...CoverageFigures }), {
  id: 'CoverageLine',
});

export const CaseCoverageView = withMeta(
  z.object({
    asOf: LocalDateSchema,
    ...CoverageFigures,
    prices: z.record(z.string(), z.object({ bid: z.string(), at: Instant, flags: z.array(z.string()) })),
  }),
  {
    id: 'CaseCoverage',
    description: 'The case’s coverage now, from its bills and the latest prices the poller stored.',
  },
);

export const CaseView = withMeta(
  z.object({
    cityId: CityId,
    caseId: CaseId,
    cityCaseRef: withMeta(z.string(), { description: 'The city system’s own reference for the case.' }),
    status: Status,
    version: z.int(),
    taxpayer: z.object({
      ref: z.string(),
      name: z.string(),
      contact: z.object({
        phone: z.optional(z.string()),
        email: z.optional(z.string()),
        address: z.optional(z.string()),
      }),
    }),
    bills: z.array(BillView),
    holdings: z.array(HoldingView),
    holds: z.array(HoldView),
    resumeStatus: z.optional(Status),
    custodyOn: z.optional(LocalDateSchema),
    preSaleNoticeHeld: z.optional(z.object({ by: z.string(), at: Instant, reason: z.string() })),
    preSaleNotice: withMeta(
      z.optional(
        z.object({
          noticeId: z.string(),
          issuedOn: LocalDateSchema,
          deliveredOn: z.optional(LocalDateSchema),
          failed: z.optional(z.object({ on: LocalDateSchema, reason: z.string() })),
          publicNotice: z.optional(
            z.object({ postedOn: LocalDateSchema, effectiveOn: LocalDateSchema, orderedBy: z.string() }),
          ),
          effectiveOn: z.optional(LocalDateSchema),
        }),
      ),
      {
        description: 'The pre-sale notice of the current custody and its service; the deadline runs from effectiveOn.',
      },
    ),
    deadline: z.optional(LocalDateSchema),
    saleRequest: z.optional(
      z.object({
        requestId: z.string(),
        requestedAt: Instant,
        limitPrices: z.record(z.string(), z.string()),
        evidence: z.object({
          relayedBy: z.string(),
          receivedAt: z.string(),
          channel: z.string(),
          reference: z.optional(z.string()),
        }),
      }),
    ),
    saleId: z.optional(z.string()),
    saleAttempts: z.int(),
    refundPayable: Won,
    lastError: z.optional(z.string()),
    arrears: z.object({
      recorded: withMeta(Won, { description: 'Outstanding on the bills as recorded.' }),
      asOf: LocalDateSchema,
      projected: withMeta(Won, { description: 'Outstanding with surcharges projected to asOf (today).' }),
    }),
    coverage: withMeta(z.optional(CaseCoverageView), {
      description: 'On GET /cases/{caseId} once the price poller runs.',
    }),
    saleApproval: withMeta(
      z.optional(z.object({ saleId: z.string(), approvals: z.array(z.object({ by: z.string(), at: Instant })) })),
      {
        description:
          'Officers’ approvals of the running sale (four eyes: never the officer who asked for it or last changed its bills or holds).',
      },
    ),
    createdAt: Instant,
    updatedAt: Instant,
  }),
  { id: 'Case' },
);

export const HoldCreatedView = withMeta(z.object({ holdId: HoldId, case: CaseView }), { id: 'HoldCreated' });

export const CaseSummaryView = withMeta(
  z.object({
    caseId: CaseId,
    status: Status,
    createdAt: Instant,
    updatedAt: Instant,
    arrears: Won,
    recovered: Won,
    refundPayable: Won,
    deadline: z.optional(LocalDateSchema),
    taxpayerRef: withMeta(z.optional(z.string()), { description: 'With detail (or a filter).' }),
    cityCaseRef: withMeta(z.optional(z.string()), { description: 'With detail (or a filter).' }),
    markets: withMeta(z.optional(z.array(z.string())), {
      description: 'Markets of the seized coins, with detail (or a filter).',
    }),
    coverage: withMeta(z.optional(z.object({ state: z.string(), ratio: z.nullable(z.string()) })), {
      description: 'From the latest coverage sheet, with detail (or a filter), once the price poller runs.',
    }),
  }),
  { id: 'CaseSummary' },
);

/** How a filtered page says it was cut short (GET /cases with a filter, GET /sales?awaitingApproval=true). */
const CutShort = {
  truncated: withMeta(z.optional(z.literal(true)), {
    description:
      'Present when a filtered page holds fewer items than asked although the listing goes on: one request reads at most `examined` cases for a filter. Pass `cursor` to read on from where this one stopped.',
  }),
  examined: withMeta(z.optional(z.int()), {
    description: 'With truncated: how many cases this request read for the filter (the most one request reads).',
  }),
};

export const CaseListView = withMeta(
  z.object({
    items: z.array(CaseSummaryView),
    cursor: withMeta(z.optional(z.string()), {
      description: 'Pass as `cursor` for the next page; absent on the last page.',
    }),
    ...CutShort,
  }),
  { id: 'CaseList' },
);

export const StatementView = withMeta(
  z.object({
    cityId: CityId,
    caseId: CaseId,
    status: Status,
    asOf: LocalDateSchema,
    taxpayerRef: z.string(),
    bills: z.array(BillView),
    payments: z.array(
      z.object({ paymentId: z.string(), amount: Won, receivedOn: z.optional(LocalDateSchema), recordedAt: Instant }),
    ),
    sales: z.array(
      z.object({
        saleId: z.string(),
        at: Instant,
        fills: z.array(z.object({ market: Market, quantity: z.string(), grossKrw: DecimalAmount })),
        feesKrw: DecimalAmount,
        roundingKrw: withMeta(DecimalAmount, {
          description: 'Fractions of a won the exchange paid that cannot be applied to bills.',
        }),
      }),
    ),
    applications: withMeta(
      z.array(
        z.object({
          source: withMeta(z.string(), { description: 'The payment or sale the money came from.' }),
          at: Instant,
          allocations: z.array(
            z.object({ billId: z.string(), component: z.enum(['COST', 'TAX', 'SURCHARGE']), amount: Won }),
          ),
          refund: Won,
        }),
      ),
      { description: 'How each won was applied, in the legal order (징수법 §4).' },
    ),
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
        before: z.nullable(Status),
        after: Status,
        by: z.string(),
        reason: z.optional(z.string()),
        evidence: withMeta(z.optional(z.record(z.string(), z.string())), {
          description: 'For a taxpayer’s sale request: who relayed it, when, how.',
        }),
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
  }),
  {
    id: 'Statement',
    description:
      'The taxpayer’s statement: bills, every payment and sale, fees, how each won was applied, refunds, coins released.',
  },
);

export const SummaryView = withMeta(
  z.object({
    cityId: CityId,
    asOf: Instant,
    cases: z.object({ total: z.int(), byStatus: z.record(z.string(), z.int()) }),
    arrearsOutstanding: withMeta(Won, { description: 'Outstanding on open cases, as last recorded.' }),
    recoveredToDate: Won,
    refundPayable: Won,
    refunds: withMeta(
      z.optional(
        z.object({
          payable: withMeta(Won, { description: 'Made payable, not yet in a file.' }),
          instructed: withMeta(Won, { description: 'In a file for the finance system, not yet confirmed paid.' }),
          paid: Won,
        }),
      ),
      { description: 'Refunds by state (every won in one): the outstanding ones are payable and instructed.' },
    ),
    treasury: withMeta(z.optional(z.object({ atExchangeKrw: DecimalAmount, toMoveKrw: Won })), {
      description: 'Sale proceeds still at the exchange, and the whole won to move to the treasury now.',
    }),
    custody: withMeta(
      z.optional(
        z.object({
          at: Instant,
          exchangeMatchesLedger: z.boolean(),
          salesRunning: withMeta(z.boolean(), {
            description: 'A sale was running: fills may not be in the ledger yet.',
          }),
          differences: z.array(
            z.object({ currency: z.string(), exchange: z.string(), ledger: z.string(), difference: z.string() }),
          ),
        }),
      ),
      {
        description:
          'The latest custody reconciliation of the exchange account (shared by the cities of the deployment).',
      },
    ),
    holdings: z.array(
      z.object({
        market: Market,
        available: z.string(),
        bid: withMeta(z.nullable(z.string()), {
          description: 'Latest best bid from the price poller; null before its first poll.',
        }),
        valueKrw: z.nullable(Won),
        pricedAt: z.nullable(Instant),
        priceFlags: withMeta(z.optional(z.array(z.string())), {
          description: 'Present when the poller flagged the price: STALE_PRICE, SOURCES_DISAGREE, NO_BOOK.',
        }),
      }),
    ),
    coverage: withMeta(
      z.nullable(
        z.object({
          computedAt: Instant,
          asOf: LocalDateSchema,
          cases: withMeta(z.record(z.string(), z.int()), { description: 'Open cases by coverage state.' }),
          arrearsKrw: Won,
          valueKrw: Won,
          underCovered: withMeta(z.array(CoverageLineView), {
            description: 'The least covered cases (UNDER or NO_COINS), lowest ratio first, at most 20.',
          }),
          overCovered: withMeta(z.array(CoverageLineView), {
            description: 'The most over-covered cases (COVERED with a surplus), highest ratio first, at most 20.',
          }),
        }),
      ),
      {
        description: 'Each open case’s coverage as the price poller last computed it; null before its first poll.',
      },
    ),
  }),
  { id: 'Summary' },
);

export const ProblemView = withMeta(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.optional(z.string()),
    code: withMeta(z.optional(z.string()), { description: 'The domain rule that refused the request.' }),
    retryable: z.optional(z.boolean()),
    caseId: withMeta(z.optional(CaseId), {
      description: 'The case already registered under the same city reference (409 on registration).',
    }),
    errors: withMeta(
      z.optional(
        z.array(
          z.object({
            in: z.enum(['body', 'query', 'path', 'header']),
            pointer: z.optional(z.string()),
            name: z.optional(z.string()),
            detail: z.string(),
          }),
        ),
      ),
      { description: 'Each wrong field: a JSON pointer into the body, or the query, path or header name.' },
    ),
  }),
  { id: 'Problem', description: 'RFC 9457 problem details.' },
);

// ---------------------------------------------------------------- city settings, audit trail

export const CitySettingsBody = withMeta(
  z.strictObject({
    cityId: CityId,
    expectedVersion: withMeta(z.nullable(z.int().check(z.gte(1))), {
      description:
        'The version read (GET /settings), or null when the city has none yet: a change over another is refused (409).',
    }),
    // Checked field by field by the domain's settings schema (CitySettingsSchema), the one every read uses too.
    settings: withMeta(z.record(z.string(), z.unknown()), {
      description:
        'The city’s settings: display name, rounding, notice window, waiting period after custody, reminders, what notices print.',
    }),
  }),
  { id: 'CitySettingsChange' },
);

export const CitySettingsView = withMeta(
  z.object({
    cityId: CityId,
    version: z.int(),
    updatedAt: Instant,
    updatedBy: z.string(),
    settings: z.record(z.string(), z.unknown()),
    changes: withMeta(z.array(z.object({ at: Instant, by: z.string(), version: z.int() })), {
      description: 'Every change, oldest first, with who made it.',
    }),
  }),
  { id: 'CitySettings' },
);

export const AuditTrailView = withMeta(
  z.object({
    cityId: CityId,
    caseId: CaseId,
    entries: z.array(
      z.object({
        at: Instant,
        action: z.string(),
        before: z.nullable(Status),
        after: Status,
        actor: z.object({ kind: z.enum(['CITY_SYSTEM', 'OFFICER', 'TAXPAYER', 'SYSTEM']), id: z.string() }),
        reason: z.optional(z.string()),
        details: z.record(z.string(), z.string()),
      }),
    ),
  }),
  {
    id: 'AuditTrail',
    description: 'Every change to the case, oldest first, with who made it (an officer by verified identity).',
  },
);
// ---------------------------------------------------------------- releases (coins back to the taxpayer)

export const ReleaseParams = z.strictObject({
  caseId: CaseId,
  releaseId: withMeta(
    z.string().check(z.regex(/^[A-Za-z0-9._-]{1,160}$/, { error: 'must be a release id, e.g. "<caseId>.v7.r0"' })),
    { description: 'A release of the case: `<caseId>.v<version>.r<n>`.' },
  ),
});
const AddressText = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(200),
    z.regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' }),
  );
export const DestinationBody = withMeta(
  z.strictObject({
    cityId: CityId,
    exchange: withMeta(z.string().check(z.trim(), z.minLength(1), z.maxLength(60)), {
      description:
        'Where the address is (the exchange or wallet, as the taxpayer named it); the account’s own exchange makes it an internal transfer.',
    }),
    netType: withMeta(z.string().check(z.trim(), z.minLength(1), z.maxLength(20), z.regex(/^[A-Za-z0-9_-]+$/)), {
      description: 'The network, as the exchange names it (e.g. BTC, ETH, XRP).',
    }),
    address: withMeta(AddressText, {
      description: 'The taxpayer’s address, registered on the city’s exchange account beforehand.',
    }),
    secondaryAddress: withMeta(z.optional(AddressText), {
      description: 'Memo / destination tag, when the network uses one.',
    }),
  }),
  {
    id: 'ReleaseDestination',
    description: 'The taxpayer’s destination, recorded by an officer; earlier approvals are void.',
  },
);
export const ReleaseApprovalBody = withMeta(z.strictObject({ cityId: CityId }), {
  id: 'ReleaseApproval',
  description: 'One officer’s approval; two different officers must approve.',
});
export const ReleaseView = withMeta(
  z.object({
    caseId: z.string(),
    releaseId: z.string(),
    market: Market,
    quantity: z.string(),
    reason: z.enum(['PAID', 'CANCELLED', 'SURPLUS', 'DUST']),
    status: z.enum(['PENDING', 'APPROVED', 'SENDING', 'SENT', 'DONE', 'FAILED']),
    destination: z.optional(
      z.object({
        exchange: z.string(),
        netType: z.string(),
        address: z.string(),
        secondaryAddress: z.optional(z.string()),
        recordedBy: z.string(),
        recordedAt: Instant,
      }),
    ),
    approvals: z.array(z.object({ by: z.string(), at: Instant })),
    withdrawal: z.optional(
      z.object({
        uuid: z.optional(z.string()),
        state: z.optional(z.string()),
        amount: z.string(),
        fee: z.string(),
        txid: z.optional(z.string()),
        sendingAt: Instant,
      }),
    ),
    failure: z.optional(z.string()),
    createdAt: Instant,
  }),
  { id: 'Release' },
);
export const ReleaseListView = withMeta(z.object({ items: z.array(ReleaseView) }), { id: 'ReleaseList' });

// ---------------------------------------------------------------- sale runs (the officers' console)

export const SaleListQuery = z.strictObject({
  city: CityId,
  state: withMeta(z.optional(z.enum(['SELLING', 'SETTLED', 'SHORTFALL'])), {
    description: 'The cases’ state: SELLING (running, the default), SETTLED or SHORTFALL (finished).',
  }),
  awaitingApproval: withMeta(z.optional(z.enum(['true', 'false'])), {
    description: 'true: only sales waiting for an officer’s approval.',
  }),
  cursor: withMeta(z.optional(z.string().check(z.maxLength(2000))), {
    description: 'The cursor of the previous page.',
  }),
  limit: withMeta(
    z.optional(
      z.coerce
        .number({ error: 'must be a whole number from 1 to 50' })
        .check(z.int({ error: 'must be a whole number from 1 to 50' }), z.gte(1), z.lte(50)),
    ),
    { description: 'Page size (default 20).' },
  ),
});

export const SaleDetailQuery = z.strictObject({
  city: CityId,
  execution: withMeta(
    z.optional(
      z.pipe(
        z.string().check(
          z.regex(/^(0|[1-9]\d{0,3})$/, {
            error: 'must be an execution number from `executions`: 0 for the first',
            abort: true,
          }),
        ),
        z.transform(Number),
      ),
    ),
    {
      description:
        'Which of the sale’s executions to show state by state: 0 the first, n its n-th continuation (default: the current one).',
    },
  ),
});

export const SaleRunView = withMeta(
  z.object({
    cityId: CityId,
    caseId: CaseId,
    saleId: z.string(),
    status: withMeta(z.enum(['RUNNING', 'AWAITING_APPROVAL', 'ESCALATED', 'SETTLING', 'SETTLED', 'FAILED']), {
      description: 'The sale’s state as its workflow recorded it.',
    }),
    caseStatus: Status,
    requestedBy: z.enum(['DEADLINE', 'TAXPAYER']),
    startedAt: Instant,
    endedAt: z.optional(Instant),
    needAtStartKrw: DecimalAmount,
    plannedValueKrw: z.optional(DecimalAmount),
    markets: z.optional(z.array(z.string())),
    approval: z.object({
      needed: withMeta(z.int(), { description: 'Different officers who must approve (0: none).' }),
      requestedAt: z.optional(Instant),
      plannedValueKrw: z.optional(DecimalAmount),
      approvedBy: z.array(z.object({ by: z.string(), at: Instant })),
      interested: withMeta(z.array(z.string()), {
        description: 'Who may not approve: who asked for the sale or last changed its bills or holds.',
      }),
    }),
    slices: z.int(),
    pauses: z.int(),
    escalation: z.optional(z.object({ at: Instant, market: z.string(), reason: z.string() })),
    stopReason: z.optional(z.string()),
    error: z.optional(z.string()),
    outcome: z.optional(Status),
    quality: withMeta(z.optional(z.record(z.string(), z.string())), {
      description: 'Sale-quality figures once settled (slippage, shortfall in basis points, overshoot in won).',
    }),
  }),
  { id: 'SaleRun' },
);

export const SaleListView = withMeta(
  z.object({
    items: z.array(SaleRunView),
    cursor: withMeta(z.optional(z.string()), {
      description: 'Pass as `cursor` for the next page; absent on the last page.',
    }),
    ...CutShort,
  }),
  { id: 'SaleRunList' },
);

/** One of a sale's or a desk's executions: its name and which continuation or run it is. */
export const ExecutionRef = z.object({
  name: z.string(),
  continuation: withMeta(z.optional(z.number().check(z.int())), {
    description: 'A sale’s execution: 0 the first, n the n-th continuation (`_c<n>`).',
  }),
  run: withMeta(z.optional(z.int()), { description: 'A desk’s execution: the run of the day it is.' }),
});

/** A Step Functions execution state by state (a sale's or a desk's), from its execution history. */
export const ExecutionStatesView = withMeta(
  z.extend(ExecutionRef, {
    status: withMeta(z.string(), {
      description: 'Step Functions’ status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED.',
    }),
    startedAt: z.optional(Instant),
    stoppedAt: z.optional(Instant),
    states: z.array(
      z.object({
        state: z.string(),
        type: z.string(),
        enteredAt: Instant,
        exitedAt: z.optional(Instant),
        status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']),
        failures: withMeta(z.int(), { description: 'Failed attempts within the visit (retried or final).' }),
        error: z.optional(z.string()),
      }),
    ),
    truncated: withMeta(z.boolean(), { description: 'Earlier states were left out: only the latest are listed.' }),
  }),
  { id: 'ExecutionStates' },
);

export const SaleDetailView = withMeta(
  z.extend(SaleRunView, {
    arrival: z.optional(
      z.object({
        decidedAt: Instant,
        needKrw: DecimalAmount,
        legs: z.array(z.object({ market: z.string(), quantity: z.string() })),
        mids: z.record(z.string(), z.string()),
      }),
    ),
    pauseLog: z.array(
      z.object({ at: Instant, market: z.string(), reason: z.string(), action: z.enum(['PAUSE', 'ESCALATE', 'WAIT']) }),
    ),
    slicesLog: z.array(
      z.object({
        identifier: z.string(),
        slice: z.int(),
        market: z.string(),
        plannedAt: Instant,
        sentAt: z.optional(Instant),
        status: z.string(),
        limitPrice: z.string(),
        referencePrice: z.string(),
        binding: z.string(),
        volume: z.string(),
        executedVolume: z.string(),
        grossKrw: DecimalAmount,
        feeKrw: DecimalAmount,
        firstTradeAt: z.optional(Instant),
        exchangeState: z.optional(z.string()),
        deskId: withMeta(z.optional(z.string()), {
          description: 'The case’s share of this desk’s order (GET /sale-desks/{deskId}): sold pooled.',
        }),
      }),
    ),
    executions: withMeta(z.array(ExecutionRef), {
      description:
        'The sale’s executions, first to current: a long sale goes on in a new execution each day (`_c<n>`). Pass `continuation` as `execution` to see one state by state.',
    }),
    execution: withMeta(z.optional(ExecutionStatesView), {
      description:
        'The execution asked for (default the current one), state by state as Step Functions ran it (its execution history; the latest states only). Absent when it cannot be read.',
    }),
  }),
  { id: 'SaleDetail' },
);

export const NoticeListView = withMeta(
  z.object({
    cityId: CityId,
    caseId: CaseId,
    items: z.array(
      z.object({
        noticeId: z.string(),
        kind: z.string(),
        createdAt: Instant,
        status: z.string(),
        channel: z.optional(z.string()),
        title: z.string(),
        body: withMeta(z.string(), { description: 'The notice’s Korean text as rendered for the taxpayer.' }),
      }),
    ),
  }),
  { id: 'NoticeList' },
);
// ---------------------------------------------------------------- refunds and proceeds (money out)

const Reference = z
  .string()
  .check(
    z.trim(),
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[\x21-\x7e]+$/, { error: 'must be 1-64 printable ASCII characters without spaces' }),
  );
export const RefundParams = z.strictObject({
  instructionId: withMeta(
    z.string().check(
      z.regex(/^RF-\d{8}-[A-Za-z0-9_-]{1,64}$/, {
        error: 'must be a refund instruction id, e.g. "RF-20250902-c01JZ8…"',
      }),
    ),
    { description: 'The instruction id, as in the day’s refund file.' },
  ),
});
export const RefundPaymentBody = withMeta(
  z.strictObject({
    cityId: CityId,
    paidOn: withMeta(LocalDateSchema, {
      description: 'The day the finance system paid the refund (not before the file’s day, not after today).',
    }),
    reference: withMeta(Reference, {
      description: 'The finance system’s payment reference (its transaction or voucher number).',
    }),
  }),
  { id: 'RefundPayment', description: 'The city’s finance system paid a refund it was instructed to pay.' },
);
export const RefundView = withMeta(
  z.object({
    instructionId: z.string(),
    caseId: CaseId,
    cityCaseRef: z.string(),
    taxpayerRef: z.string(),
    amount: Won,
    day: withMeta(LocalDateSchema, { description: 'The day of the file that carries it.' }),
    fileKey: withMeta(z.string(), { description: 'The file’s key in the bucket.' }),
    status: z.enum(['INSTRUCTED', 'PAID']),
    paid: z.optional(z.object({ on: LocalDateSchema, reference: z.string(), by: z.string(), at: Instant })),
  }),
  { id: 'Refund' },
);
export const RefundListQuery = z.strictObject({ city: CityId, status: z.optional(z.enum(['INSTRUCTED', 'PAID'])) });
export const RefundListView = withMeta(z.object({ items: z.array(RefundView) }), { id: 'RefundList' });

export const TreasuryQuery = z.strictObject({
  city: CityId,
  day: withMeta(z.optional(LocalDateSchema), { description: 'Default: today in Korea.' }),
});
export const TransferBody = withMeta(
  z.strictObject({
    cityId: CityId,
    day: withMeta(LocalDateSchema, {
      description: 'The proceeds’ day: everything settled up to it that was still at the exchange.',
    }),
    amount: withMeta(PositiveWon, { description: 'Exactly the KRW to move for the day (GET /treasury).' }),
    reference: withMeta(Reference, {
      description: 'The exchange’s KRW withdrawal id or the bank’s transfer reference.',
    }),
  }),
  {
    id: 'TreasuryTransfer',
    description: 'An officer confirms that the proceeds moved from the exchange to the city’s treasury account.',
  },
);
export const TreasuryView = withMeta(
  z.object({
    cityId: CityId,
    day: LocalDateSchema,
    proceedsKrw: withMeta(DecimalAmount, {
      description: 'What the day’s settlements left at the exchange (gross − fee).',
    }),
    atExchangeKrw: withMeta(DecimalAmount, {
      description: 'Proceeds up to the day still at the exchange (settlements less confirmed transfers).',
    }),
    toMoveKrw: withMeta(Won, { description: 'Whole won to move now (0 once moved; a fraction of a won waits).' }),
    transfer: withMeta(z.optional(z.object({ amount: Won, reference: z.string(), by: z.string(), at: Instant })), {
      description: 'The day’s confirmed transfer.',
    }),
  }),
  { id: 'Treasury' },
);

// ---------------------------------------------------------------- the sale desks (docs/SALE-DESK.md)

export const DeskListQuery = z.strictObject({
  city: CityId,
  day: withMeta(z.optional(LocalDateSchema), { description: 'The Korean day (default: today in Korea).' }),
  market: withMeta(z.optional(Market), {
    description: 'Only the desk of this market, with its members and a page of its orders (newest first).',
  }),
  // Digits only: a desk's orders are numbered by slice, and a page goes on below the slice given.
  cursor: withMeta(
    z.optional(
      z.pipe(
        z
          .string()
          .check(z.regex(/^[1-9]\d{0,6}$/, { error: 'must be a slice number from a previous page', abort: true })),
        z.transform(Number),
      ),
    ),
    { description: 'With market: the cursor of the previous page (the orders before this slice).' },
  ),
  limit: withMeta(
    z.optional(
      z.pipe(
        z.pipe(
          z.string().check(z.regex(/^[1-9]\d?$/, { error: 'must be a whole number from 1 to 50', abort: true })),
          z.transform(Number),
        ),
        z.number().check(z.lte(50, { error: 'must be a whole number from 1 to 50' })),
      ),
    ),
    { description: 'With market: orders per page (default 20).' },
  ),
  run: withMeta(
    z.optional(
      z.pipe(
        z
          .string()
          .check(z.regex(/^[1-9]\d{0,2}$/, { error: 'must be a run of the desk that day, from 1', abort: true })),
        z.transform(Number),
      ),
    ),
    {
      description:
        'With market: which run’s execution to show state by state (default: the current run; a run the desk has not had shows none).',
    },
  ),
  memberCursor: withMeta(z.optional(CaseId), {
    description: 'With market: the `memberCursor` of the previous page of members (the members after this case).',
  }),
  memberLimit: pageSize('With market: members per page (default 50), by case id.'),
});

export const DeskSummaryView = withMeta(
  z.object({
    cityId: CityId,
    deskId: z.string(),
    market: z.string(),
    day: LocalDateSchema,
    status: z.enum(['RUNNING', 'ENDED']),
    run: withMeta(z.number().check(z.int()), {
      description: 'Runs of the desk this day (a desk joined again after it ended runs again).',
    }),
    execution: withMeta(z.string(), { description: 'The current run’s Step Functions execution.' }),
    startedAt: Instant,
    endedAt: z.optional(Instant),
    lastDecision: z.optional(z.object({ at: Instant, action: z.string(), reason: z.optional(z.string()) })),
    members: withMeta(z.object({ active: z.int(), withdrawn: z.int(), done: z.int() }), {
      description: 'Cases in the desk: still selling through it, withdrawn (hold, payment, stop, covered), done.',
    }),
    slices: withMeta(z.int(), { description: 'Orders planned (the desk’s slice counter).' }),
    openOrders: withMeta(z.int(), { description: 'Orders not yet final (on the way or in doubt).' }),
    orders: withMeta(z.int(), { description: 'Orders final or in doubt.' }),
    soldQuantity: z.string(),
    grossKrw: DecimalAmount,
    arrivalMid: withMeta(z.optional(z.string()), { description: 'The mid when the desk first sold this day.' }),
    arrivalValueKrw: withMeta(DecimalAmount, { description: 'What the coins sold were worth at the arrival mid.' }),
    maxParticipation: withMeta(z.string(), {
      description: 'The largest share of the market’s volume per minute one desk order took (estimated).',
    }),
  }),
  { id: 'SaleDesk' },
);

const CaseShare = z.object({
  caseId: CaseId,
  offered: withMeta(z.string(), { description: 'What the case offered this order.' }),
  floorPrice: z.optional(z.string()),
  quantity: withMeta(z.optional(z.string()), { description: 'What it received once the order was final.' }),
  grossKrw: z.optional(DecimalAmount),
  feeKrw: z.optional(DecimalAmount),
});

/** One desk with its members and a page of its orders (GET /sale-desks with market). */
export const DeskDetailView = withMeta(
  z.extend(DeskSummaryView, {
    memberList: z.array(
      z.object({
        caseId: CaseId,
        saleId: z.string(),
        status: z.enum(['ACTIVE', 'WITHDRAWN', 'DONE']),
        reason: z.optional(z.string()),
        joinedAt: Instant,
        offered: withMeta(z.string(), { description: 'Coins the case offered the desk in all.' }),
        floorPrice: z.optional(z.string()),
        sold: withMeta(z.string(), { description: 'Coins the desk’s final orders sold of it.' }),
      }),
    ),
    orderList: z.array(
      z.object({
        identifier: z.string(),
        slice: z.int(),
        plannedAt: Instant,
        sentAt: z.optional(Instant),
        status: z.string(),
        limitPrice: z.string(),
        binding: z.string(),
        volume: z.string(),
        executedVolume: z.string(),
        grossKrw: DecimalAmount,
        feeKrw: DecimalAmount,
        participation: withMeta(z.optional(z.string()), {
          description: 'Its fill over the market’s volume per minute.',
        }),
        absentReason: z.optional(z.string()),
        shares: withMeta(z.array(CaseShare), {
          description: 'Each case’s share: what it offered and, once final, received.',
        }),
      }),
    ),
    cursor: withMeta(z.optional(z.string()), {
      description: 'Pass as `cursor` for the earlier orders; absent on the last page.',
    }),
    memberCursor: withMeta(z.optional(z.string()), {
      description: 'Pass as `memberCursor` for the next members; absent on the last page of members.',
    }),
    runs: withMeta(z.array(ExecutionRef), { description: 'The desk’s executions of the day, first run to current.' }),
    executionStates: withMeta(z.optional(ExecutionStatesView), {
      description:
        'The run asked for (default the current one), state by state as Step Functions ran it (the latest states only). Absent when it cannot be read.',
    }),
  }),
  { id: 'SaleDeskDetail' },
);

export const DeskListView = withMeta(
  z.object({
    items: withMeta(z.array(z.union([DeskDetailView, DeskSummaryView])), {
      description:
        'The day’s desks by market; with market, that desk alone, with its members and a page of its orders.',
    }),
  }),
  { id: 'SaleDeskList' },
);
