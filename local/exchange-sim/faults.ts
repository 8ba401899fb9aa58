/**
 * Faults the tests switch on. Each is armed for a number of matching requests (or, for latency, until
 * cleared) and matched by method and path.
 *
 * - latency: delay every matching answer.
 * - hang: read the request and never answer (the client's timeout fires); nothing is processed.
 * - serverError: answer 5xx without processing.
 * - rateLimit / ban: answer 429 / 418 without processing.
 * - partialFill: the next orders fill at most a share of their volume (IOC remainder cancelled).
 * - loseAnswer: process the order (it exists on the exchange), then destroy the connection, answer
 *   500, or hang: the client cannot know whether it was placed. `match: WITHDRAWALS` does the same
 *   to a withdrawal request (the withdrawal exists and runs its course).
 * - failWithdrawal: the next withdrawals are accepted (WAITING, funds locked) but end FAILED instead
 *   of DONE, and the funds come back.
 * - lateProcessing: the order request gets no answer (hang or a destroyed connection), and the order
 *   is processed `afterMs` of simulated time later (at the first request after that, or when the
 *   test reads the exchange's records); until then every lookup answers not found. A POST that timed
 *   out can still execute: this is the fault that makes an order "in doubt".
 */

export interface Match {
  method?: string;
  path?: string;
}

export type LoseMode = 'destroy' | '500' | 'hang';

type Armed =
  | { kind: 'hang'; match: Match; times: number }
  | { kind: 'status'; match: Match; times: number; status: number }
  | { kind: 'rateLimit'; match: Match; times: number }
  | { kind: 'ban'; match: Match; times: number; seconds: number }
  | { kind: 'partialFill'; match: Match; times: number; fraction: string }
  | { kind: 'loseAnswer'; match: Match; times: number; mode: LoseMode }
  | { kind: 'failWithdrawal'; match: Match; times: number }
  | { kind: 'lateProcessing'; match: Match; times: number; afterMs: number; mode: LateMode };

/** How the client's request ends under late processing: no answer until its timeout, or a reset. */
export type LateMode = 'hang' | 'destroy';

export type Before =
  { kind: 'hang' } | { kind: 'status'; status: number } | { kind: 'rateLimit' } | { kind: 'ban'; seconds: number };

export const ORDERS: Match = { method: 'POST', path: '/v1/orders' };
export const WITHDRAWALS: Match = { method: 'POST', path: '/v1/withdraws/coin' };

export class Faults {
  private armed: Armed[] = [];
  private delays: { match: Match; ms: number }[] = [];

  latency(ms: number, match: Match = {}): void {
    this.delays.push({ match, ms });
  }

  hang(options: { times?: number; match?: Match } = {}): void {
    this.armed.push({ kind: 'hang', match: options.match ?? {}, times: options.times ?? 1 });
  }

  serverError(options: { times?: number; status?: number; match?: Match } = {}): void {
    this.armed.push({
      kind: 'status',
      match: options.match ?? {},
      times: options.times ?? 1,
      status: options.status ?? 500,
    });
  }

  rateLimit(options: { times?: number; match?: Match } = {}): void {
    this.armed.push({ kind: 'rateLimit', match: options.match ?? {}, times: options.times ?? 1 });
  }

  ban(options: { seconds?: number; match?: Match } = {}): void {
    this.armed.push({ kind: 'ban', match: options.match ?? {}, times: 1, seconds: options.seconds ?? 60 });
  }

  partialFill(options: { times?: number; fraction?: string } = {}): void {
    this.armed.push({
      kind: 'partialFill',
      match: ORDERS,
      times: options.times ?? 1,
      fraction: options.fraction ?? '0.5',
    });
  }

  loseAnswer(options: { times?: number; mode?: LoseMode; match?: Match } = {}): void {
    this.armed.push({
      kind: 'loseAnswer',
      match: options.match ?? ORDERS,
      times: options.times ?? 1,
      mode: options.mode ?? 'destroy',
    });
  }

  failWithdrawal(options: { times?: number } = {}): void {
    this.armed.push({ kind: 'failWithdrawal', match: WITHDRAWALS, times: options.times ?? 1 });
  }

  lateProcessing(options: { times?: number; afterMs?: number; mode?: LateMode } = {}): void {
    this.armed.push({
      kind: 'lateProcessing',
      match: ORDERS,
      times: options.times ?? 1,
      afterMs: options.afterMs ?? 5000,
      mode: options.mode ?? 'hang',
    });
  }

  clear(): void {
    this.armed = [];
    this.delays = [];
  }

  // ---- used by the server

  delayFor(method: string, path: string): number {
    return this.delays.filter((d) => matches(d.match, method, path)).reduce((a, d) => a + d.ms, 0);
  }

  private take<K extends Armed['kind']>(
    kinds: readonly K[],
    method: string,
    path: string,
  ): Extract<Armed, { kind: K }> | undefined {
    const i = this.armed.findIndex(
      (a) => (kinds as readonly string[]).includes(a.kind) && matches(a.match, method, path),
    );
    if (i < 0) return undefined;
    const a = this.armed[i]!;
    a.times -= 1;
    if (a.times <= 0) this.armed.splice(i, 1);
    return a as Extract<Armed, { kind: K }>;
  }

  before(method: string, path: string): Before | undefined {
    const a = this.take(['hang', 'status', 'rateLimit', 'ban'] as const, method, path);
    if (!a) return undefined;
    switch (a.kind) {
      case 'hang':
        return { kind: 'hang' };
      case 'status':
        return { kind: 'status', status: a.status };
      case 'rateLimit':
        return { kind: 'rateLimit' };
      case 'ban':
        return { kind: 'ban', seconds: a.seconds };
    }
  }

  partialFraction(method: string, path: string): string | undefined {
    return this.take(['partialFill'] as const, method, path)?.fraction;
  }

  withdrawalFails(method: string, path: string): boolean {
    return this.take(['failWithdrawal'] as const, method, path) !== undefined;
  }

  late(method: string, path: string): { afterMs: number; mode: LateMode } | undefined {
    const a = this.take(['lateProcessing'] as const, method, path);
    return a ? { afterMs: a.afterMs, mode: a.mode } : undefined;
  }

  lostAnswer(method: string, path: string): LoseMode | undefined {
    return this.take(['loseAnswer'] as const, method, path)?.mode;
  }
}

function matches(m: Match, method: string, path: string): boolean {
  return (m.method === undefined || m.method === method) && (m.path === undefined || m.path === path);
}
