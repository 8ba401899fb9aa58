/**
 * The officers' local console: what the Step Functions console and the sale records show on AWS,
 * served by the local stack under `/_local/` (officer keys only; the city API's routes are untouched).
 *
 *   GET /_local/sales?city=<cityId>&case=<caseId>   the case's sale runs: each sale record (need,
 *       approval, pauses, quality, outcome), its orders (its shares of desk orders included), and its
 *       execution's state-by-state history
 */
import type { CaseStore } from '#domain/case-store';
import type { Decimal } from '#domain/money';
import type { DynamoDbSaleStore } from '#adapters/dynamodb/sale-store';
import { saleExecutionName } from '#adapters/workflow/sale-workflow';
import type { LocalSaleWorkflow } from './sale-workflow';

export interface ConsoleRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface ConsoleDeps {
  store: Pick<CaseStore, 'get'>;
  sales: Pick<DynamoDbSaleStore, 'get' | 'caseOrders'>;
  workflow: Pick<LocalSaleWorkflow, 'starter' | 'history'>;
}

const text = (d: Decimal | undefined) => d?.toFixed();

export async function saleRuns(deps: ConsoleDeps, cityId: string, caseId: string) {
  const c = await deps.store.get(cityId, caseId);
  if (!c) return undefined;
  const runs = [];
  for (let attempt = 1; attempt <= c.saleAttempts; attempt++) {
    const saleId = `${caseId}-sale-${attempt}`;
    const sale = await deps.sales.get(cityId, caseId, saleId);
    // Its own orders and its shares of its desk's orders (docs/SALE-DESK.md).
    const orders = (await deps.sales.caseOrders(cityId, caseId)).filter((o) => o.saleId === saleId);
    const name = saleExecutionName(cityId, saleId);
    const execution = deps.workflow.starter.executions.get(name);
    runs.push({
      saleId,
      status: sale?.status ?? 'UNKNOWN',
      requestedBy: sale?.requestedBy,
      startedAt: sale?.startedAt,
      endedAt: sale?.endedAt,
      needAtStartKrw: text(sale?.needAtStartKrw),
      outcome: sale?.outcome,
      stopReason: sale?.stopReason,
      error: sale?.error,
      approval: sale?.approval
        ? {
            requestedAt: sale.approval.requestedAt,
            plannedValueKrw: text(sale.approval.plannedValueKrw),
            approvedBy: sale.approval.approvedBy,
            approvedAt: sale.approval.approvedAt,
          }
        : undefined,
      pauses: sale?.pauses ?? [],
      escalation: sale?.escalation,
      quality: sale?.quality,
      orders: orders.map((o) => ({
        identifier: o.identifier,
        slice: o.slice,
        market: o.market,
        volume: text(o.volume),
        limitPrice: text(o.limitPrice),
        binding: o.binding,
        status: o.status,
        executedVolume: text(o.executedVolume),
        grossKrw: text(o.grossKrw),
        feeKrw: text(o.feeKrw),
        sentAt: o.sentAt,
        ...(o.deskOrder ? { deskOrder: o.deskOrder } : {}),
      })),
      execution: { name, status: execution?.status ?? 'NOT_IN_THIS_PROCESS', history: deps.workflow.history(name) },
    });
  }
  return { cityId, caseId, status: c.status, runs };
}

export function localConsole(deps: ConsoleDeps) {
  return async (req: ConsoleRequest): Promise<{ status: number; body: unknown } | undefined> => {
    if (req.method === 'GET' && req.path === '/_local/sales') {
      const { city, case: caseId } = req.query;
      if (!city || !caseId)
        return { status: 400, body: { title: 'Bad request', detail: 'city and case are required' } };
      const runs = await saleRuns(deps, city, caseId);
      return runs
        ? { status: 200, body: runs }
        : { status: 404, body: { title: 'No such case', detail: `no case ${caseId} in ${city}` } };
    }
    return undefined;
  };
}
