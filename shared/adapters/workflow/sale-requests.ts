/**
 * The sale request queue (SQS FIFO): one message per sale attempt, message group = the case (two
 * requests about one case are never handled at once), deduplication id = the sale id, so the same
 * attempt requested twice within SQS's five-minute window is one message; beyond it, the starter's
 * own checks and the execution name make a repeat a no-op. The deadline check and the API (the
 * taxpayer's own request) send; functions/start-sale consumes.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod/mini';
import { nextSaleId, type Transition } from '#domain/case';
import type { SaleExecutionInput } from './sale-workflow';

const id = z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/));

export const SaleRequestMessage = z.strictObject({
  cityId: id,
  caseId: id,
  saleId: id,
  requestedBy: z.enum(['DEADLINE', 'TAXPAYER']),
  requestedAt: z.iso.datetime(),
});
export type SaleRequestMessage = SaleExecutionInput;

export class InvalidSaleRequestMessageError extends Error {
  override readonly name = 'InvalidSaleRequestMessageError';
}

/** Reads a message body; anything else is a poison message (it ends in the DLQ). */
export function parseSaleRequestMessage(body: string): SaleRequestMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidSaleRequestMessageError('the body is not JSON');
  }
  const parsed = SaleRequestMessage.safeParse(value);
  if (!parsed.success)
    throw new InvalidSaleRequestMessageError(
      `not a sale request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/**
 * The queue's delivery delay (every message, FIFO queues have no per-message delay): a request the
 * starter deferred at the cap on running sales comes back this much later. A sale starting 10 s
 * after it was asked for changes nothing.
 */
export const SALE_REQUEST_DELAY_SECONDS = 10;

export const saleRequestGroup = (cityId: string, caseId: string): string => `${cityId}#${caseId}`;
export const saleRequestDeduplicationId = (cityId: string, saleId: string): string => `${cityId}#${saleId}`;

export interface SaleRequestQueue {
  /** `deferredMessageId`: the request is sent again for a message the starter deferred (deduplicated per that message). */
  send(request: SaleRequestMessage, deferredMessageId?: string): Promise<void>;
}

export class SqsSaleRequestQueue implements SaleRequestQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async send(request: SaleRequestMessage, deferredMessageId?: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageGroupId: saleRequestGroup(request.cityId, request.caseId),
        MessageDeduplicationId:
          saleRequestDeduplicationId(request.cityId, request.saleId) +
          (deferredMessageId ? `#after#${deferredMessageId}` : ''),
      }),
    );
  }
}

export interface WarnLogger {
  warn(message: string, ...extra: unknown[]): void;
}

/**
 * What the API runs after a committed change: when the change made the case due at the taxpayer's
 * own request, queue the sale request for its next attempt. Best effort on purpose: a request not
 * queued is found by the next daily deadline check (the DUE case waits in the deadline index).
 */
export function saleRequestPublisher(queue: SaleRequestQueue, logger?: WarnLogger) {
  return async function requestSales(transition: Pick<Transition, 'case' | 'audit'>): Promise<void> {
    const c = transition.case;
    if (transition.audit.action !== 'TAXPAYER_SALE_REQUEST' || c.status !== 'DUE' || !c.saleRequest) return;
    try {
      await queue.send({
        cityId: c.cityId,
        caseId: c.caseId,
        saleId: nextSaleId(c),
        requestedBy: 'TAXPAYER',
        requestedAt: c.saleRequest.requestedAt,
      });
    } catch (error) {
      logger?.warn('sale request not queued; the daily deadline check will request it', {
        caseId: c.caseId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  };
}
