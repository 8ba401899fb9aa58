/** Refund instructions and the proceeds' move to the treasury: pure rules. */
import { Decimal, decimal } from '#domain/money';
import {
  checkTransfer,
  confirmRefundPaid,
  formatRefundFile,
  parseRefundFile,
  refundsToInstruct,
  refundTotals,
  RefundRuleError,
  treasuryPosition,
  type RefundInstruction,
  type RefundLine,
} from '#domain/refunds';

/** The rule a call broke (undefined when it did not throw). */
function codeOf(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    if (error instanceof RefundRuleError) return error.code;
    throw error;
  }
  return undefined;
}

const line = (caseId: string, day: string, amount: string, instructionId?: string): RefundLine => ({
  lineId: `REFUND#${day}#${caseId}#${amount}`,
  caseId,
  day,
  amount: decimal(amount),
  ...(instructionId ? { instructionId } : {}),
});

const instruction = (overrides: Partial<RefundInstruction> = {}): RefundInstruction => ({
  instructionId: 'RF-20250901-c1',
  cityId: 'cheongju',
  caseId: 'c1',
  day: '2025-09-01',
  amount: decimal('12345'),
  cityCaseRef: 'CH-1',
  taxpayerRef: 'TP-1',
  lineIds: ['l1'],
  fileKey: 'refunds/cheongju/refund-cheongju-20250901.csv',
  ...overrides,
});

describe('refunds to instruct', () => {
  it('sums each case’s lines up to the day not yet instructed, one instruction per case', () => {
    const lines = [
      line('c2', '2025-09-01', '7000'),
      line('c1', '2025-08-31', '100'),
      line('c1', '2025-09-01', '200'),
      line('c1', '2025-09-02', '999'),
      line('c3', '2025-08-30', '50', 'RF-20250830-c3'),
    ];
    expect(
      refundsToInstruct(lines, '2025-09-01').map((i) => [i.instructionId, i.amount.toFixed(), i.lineIds.length]),
    ).toEqual([
      ['RF-20250901-c1', '300', 2],
      ['RF-20250901-c2', '7000', 1],
    ]);
  });

  it('leaves a sum that is not positive payable, to net with the case’s next line', () => {
    expect(
      refundsToInstruct(
        [
          line('c1', '2025-09-01', '500'),
          { ...line('c1', '2025-09-01', '500'), lineId: 'minus', amount: new Decimal('-500') },
        ],
        '2025-09-01',
      ),
    ).toEqual([]);
  });

  it('refuses a refund that is not whole won', () => {
    expect(() => refundsToInstruct([line('c1', '2025-09-01', '0.5')], '2025-09-01')).toThrow(/not whole won/);
  });
});

describe('the refund file', () => {
  it('is CSV with a header, one row per instruction in id order, amounts to the won, and reads back', () => {
    const text = formatRefundFile([
      instruction({
        instructionId: 'RF-20250901-c2',
        caseId: 'c2',
        taxpayerRef: 'TP "2", Seoul',
        amount: decimal('7000'),
      }),
      instruction(),
    ]);
    expect(text).toBe(
      'instructionId,cityId,caseId,cityCaseRef,taxpayerRef,amountKrw,payableThrough\r\n' +
        'RF-20250901-c1,cheongju,c1,CH-1,TP-1,12345,2025-09-01\r\n' +
        'RF-20250901-c2,cheongju,c2,CH-1,"TP ""2"", Seoul",7000,2025-09-01\r\n',
    );
    expect(parseRefundFile(text).map((r) => [r.instructionId, r.taxpayerRef, r.amountKrw])).toEqual([
      ['RF-20250901-c1', 'TP-1', '12345'],
      ['RF-20250901-c2', 'TP "2", Seoul', '7000'],
    ]);
  });
});

describe('confirming a refund paid', () => {
  const at = new Date('2025-09-02T05:00:00Z');
  it('records the payment once; the same or another confirmation after it is refused', () => {
    const paid = confirmRefundPaid(instruction(), { on: '2025-09-02', reference: 'FIN-1' }, 'city', at, '2025-09-02');
    expect(paid.paid).toEqual({ on: '2025-09-02', reference: 'FIN-1', by: 'city', at: at.toISOString() });
    expect(
      codeOf(() => confirmRefundPaid(paid, { on: '2025-09-02', reference: 'FIN-1' }, 'city', at, '2025-09-02')),
    ).toBe('REFUND_ALREADY_PAID');
  });

  it('refuses a payment before the file’s day or after today', () => {
    expect(
      codeOf(() => confirmRefundPaid(instruction(), { on: '2025-08-31', reference: 'X' }, 'city', at, '2025-09-02')),
    ).toBe('PAID_BEFORE_INSTRUCTED');
    expect(
      codeOf(() => confirmRefundPaid(instruction(), { on: '2025-09-03', reference: 'X' }, 'city', at, '2025-09-02')),
    ).toBe('PAID_IN_FUTURE');
  });

  it('puts every won in exactly one state', () => {
    const lines = [
      line('c1', '2025-09-01', '12345', 'RF-20250901-c1'),
      line('c2', '2025-09-01', '7000', 'RF-20250901-c2'),
      line('c3', '2025-09-02', '300'),
    ];
    const paid = confirmRefundPaid(instruction(), { on: '2025-09-02', reference: 'FIN-1' }, 'city', at, '2025-09-02');
    const totals = refundTotals(lines, [
      paid,
      instruction({ instructionId: 'RF-20250901-c2', caseId: 'c2', amount: decimal('7000') }),
    ]);
    expect([totals.payable, totals.instructed, totals.paid].map((d) => d.toFixed())).toEqual(['300', '7000', '12345']);
  });
});

describe('proceeds to the treasury', () => {
  const lines = [
    { day: '2025-09-01', amount: decimal('1000000.75'), transfer: false },
    { day: '2025-09-02', amount: decimal('500000.5'), transfer: false },
  ];

  it('moves the whole won of everything settled up to the day; the fraction waits', () => {
    const p = treasuryPosition(lines, '2025-09-01');
    expect([p.proceeds, p.atExchange, p.toMove].map((d) => d.toFixed())).toEqual([
      '1000000.75',
      '1000000.75',
      '1000000',
    ]);
    expect(treasuryPosition(lines, '2025-09-02').toMove.toFixed()).toBe('1500001');
  });

  it('counts a confirmed transfer against every day, and asks for exactly the amount to move', () => {
    const moved = [...lines, { day: '2025-09-01', amount: new Decimal('-1000000'), transfer: true }];
    const p = treasuryPosition(moved, '2025-09-01');
    expect([p.atExchange.toFixed(), p.toMove.toFixed()]).toEqual(['0.75', '0']);
    expect(codeOf(() => checkTransfer(p, decimal('1')))).toBe('NOTHING_TO_MOVE');
    const next = treasuryPosition(moved, '2025-09-02');
    expect(next.toMove.toFixed()).toBe('500001');
    expect(codeOf(() => checkTransfer(next, decimal('500000')))).toBe('TRANSFER_AMOUNT_DIFFERS');
    expect(() => checkTransfer(next, decimal('500001'))).not.toThrow();
  });
});
