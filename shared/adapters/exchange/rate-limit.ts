/**
 * Client-side pacing from Upbit's `Remaining-Req: group=order; min=1800; sec=7` header. Limits change
 * (order creation went from 8 to 12 per second in 2026), so the client obeys the header instead of
 * constants: when a group has no request left in the current window it waits for the next one.
 */

export interface RemainingReq {
  group: string;
  /** Requests left in the current one-second window. */
  sec: number;
}

export function parseRemainingReq(header: string | null | undefined): RemainingReq | undefined {
  if (!header) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k && v !== undefined) fields.set(k.toLowerCase(), v);
  }
  const group = fields.get('group');
  const sec = Number(fields.get('sec'));
  if (!group || !Number.isInteger(sec) || sec < 0) return undefined;
  return { group, sec };
}

interface GroupState {
  remaining: number;
  /** Wall-clock ms when the window is assumed to have reset. */
  resetAt: number;
}

export interface PacerOptions {
  /** Window length the exchange counts in (Upbit: one second). */
  windowMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export class GroupPacer {
  private readonly groups = new Map<string, GroupState>();
  /** Which group a route belongs to, learned from the header (guessed until then). */
  private readonly routeGroup = new Map<string, string>();

  constructor(private readonly options: PacerOptions) {}

  groupFor(route: string, guess: string): string {
    return this.routeGroup.get(route) ?? guess;
  }

  /** Waits until the group may send, then takes one request from its budget. */
  async acquire(group: string): Promise<void> {
    for (;;) {
      const state = this.groups.get(group);
      const now = this.options.now();
      if (!state || now >= state.resetAt) {
        if (state) this.groups.delete(group);
        return;
      }
      if (state.remaining > 0) {
        state.remaining -= 1;
        return;
      }
      await this.options.sleep(state.resetAt - now);
    }
  }

  /** Records what the exchange said is left; the window is assumed to reset one window after this answer. */
  observe(route: string, header: string | null | undefined): void {
    const parsed = parseRemainingReq(header);
    if (!parsed) return;
    this.routeGroup.set(route, parsed.group);
    this.groups.set(parsed.group, { remaining: parsed.sec, resetAt: this.options.now() + this.options.windowMs });
  }

  /** After a 429: nothing may be sent in this group until `ms` from now. */
  block(group: string, ms: number): void {
    this.groups.set(group, { remaining: 0, resetAt: this.options.now() + ms });
  }
}
