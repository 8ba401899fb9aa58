/** What the desk's tests read and do, on a sale world (world.ts): ledgers, shares, cases sold together. */
import type { Case } from '#domain/case';
import { Decimal, sum } from '#domain/money';
import { caseReady, executionInput, type SaleWorld } from './world';

export const byKind = (entries: { kind: string; amount: Decimal }[], kind: string): Decimal =>
  sum(entries.filter((e) => e.kind === kind).map((e) => e.amount));
export const executedVolume = (o: { trades: { volume: Decimal }[] }): Decimal => sum(o.trades.map((t) => t.volume));

export function deskHelpers(world: SaleWorld) {
  /** The case's statement and its ledger entries other than payments. */
  async function ledgerOf(c: Pick<Case, 'cityId' | 'caseId'>) {
    const data = (await world.store.statement(c.cityId, c.caseId))!;
    return { data, ledger: data.ledger.flatMap((b) => b.entries).filter((e) => e.kind !== 'PAYMENT_IN') };
  }

  /** Cases `${prefix}-0`, `-1`, … ready to sell, one per quantity. */
  async function readyCases(prefix: string, quantities: string[]): Promise<Case[]> {
    const cases: Case[] = [];
    for (const [i, quantity] of quantities.entries())
      cases.push(await caseReady(world, { caseId: `${prefix}-${i}`, quantity }));
    return cases;
  }

  /** Starts every case's sale at once and waits for them and the desks they ran. */
  async function sellTogether(cases: Case[]) {
    const started = await Promise.all(cases.map((c) => world.starter.start(executionInput(c))));
    const executions = started.map((s) => world.starter.executions.get(s.executionName)!);
    await Promise.all(executions.map((e) => e.done));
    await world.deskStarter.settle();
    return executions;
  }

  /** The case's shares of desk orders in its current sale. */
  const shares = async (c: Case) =>
    (await world.sales.caseOrders(c.cityId, c.caseId)).filter((o) => o.saleId === c.saleId && o.deskOrder);

  return { ledgerOf, readyCases, sellTogether, shares };
}
