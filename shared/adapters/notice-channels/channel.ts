/**
 * Notice channels: how a rendered notice reaches its recipient. The dispatcher
 * (functions/dispatch-notice) picks one with `chooseChannel` from the recipient's contact data and
 * the city's channel order, and records what the channel answered on the notice record.
 *
 * Every channel is idempotent by the delivery's `idempotencyKey` (the notice id): handing over the
 * same notice twice (a redelivered queue message after a crash) leaves one letter, one file, one
 * message, and the repeat answers with the first delivery's receipt.
 *
 * A channel that cannot deliver throws. Nothing is dropped quietly: a channel without a configured
 * provider (SMS, alimtalk, e-mail until the city contracts one) throws ChannelNotConfiguredError,
 * and the notice stays undelivered, retried and finally parked in the dead-letter queue with an alarm.
 */
import type { NoticeKind } from '#domain/case';
import type { NoticeContent, RenderedNotice } from '#domain/notices';

export type ChannelKind = 'LOCAL_FOLDER' | 'POST' | 'SMS' | 'ALIMTALK' | 'EMAIL';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['LOCAL_FOLDER', 'POST', 'SMS', 'ALIMTALK', 'EMAIL'];

export interface Contact {
  phone?: string;
  email?: string;
  /** A postal address as one line, as the city's system holds it. */
  address?: string;
}

/** Who a notice goes to: the taxpayer, or the exchange (the seizure notice's transfer demand). */
export interface Recipient {
  kind: 'TAXPAYER' | 'EXCHANGE';
  name: string;
  contact: Contact;
}

export interface OutgoingNotice {
  cityId: string;
  caseId: string;
  noticeId: string;
  /**
   * The notice id, the same on every attempt at this notice: a channel that finds it already took
   * this key (a print record, a provider's message) answers with that delivery and sends nothing.
   */
  idempotencyKey: string;
  kind: NoticeKind;
  content: NoticeContent;
  rendered: RenderedNotice;
  recipient: Recipient;
  /** When the dispatcher hands it over. */
  at: Date;
}

export interface DeliveryReceipt {
  channel: ChannelKind;
  /** Where the notice went, to find it again: a file path and record number, a provider's message id. */
  reference: string;
  sentAt: string;
  /** Set when the channel itself confirms delivery (a file written locally); a letter is confirmed later. */
  deliveredAt?: string;
}

export interface NoticeChannel {
  readonly kind: ChannelKind;
  /** Whether the recipient's contact data lets this channel reach them. */
  canReach(recipient: Recipient): boolean;
  deliver(notice: OutgoingNotice): Promise<DeliveryReceipt>;
}

/** A delivery that will not succeed by retrying (until someone changes configuration or data). */
export abstract class PermanentDeliveryError extends Error {
  readonly permanent = true;
}

export class ChannelNotConfiguredError extends PermanentDeliveryError {
  override readonly name = 'ChannelNotConfiguredError';
  constructor(
    readonly channel: ChannelKind,
    detail = 'no provider is configured for it',
  ) {
    super(`the ${channel} channel cannot deliver: ${detail}`);
  }
}

export class NoReachableChannelError extends PermanentDeliveryError {
  override readonly name = 'NoReachableChannelError';
  constructor(
    readonly kind: NoticeKind,
    readonly tried: readonly ChannelKind[],
  ) {
    super(
      `no channel in the order [${tried.join(', ')}] can reach the recipient of this ${kind} notice (contact data missing)`,
    );
  }
}

/** Channel order per notice kind; `'*'` for kinds not named. */
export type ChannelOrder = Partial<Record<NoticeKind | '*', readonly ChannelKind[]>>;

/**
 * Default order: e-mail (SES) where the city's system gives an address, else post (print batches).
 * Service by post (지방세기본법 §28, §30); electronic service only where the taxpayer applied for
 * it (§30), so the city's system passes an e-mail address only for those who did. SMS and alimtalk
 * join a city's order (dispatcher configuration) once a provider is contracted; until then a
 * default deployment delivers every notice through channels that work.
 */
export const DEFAULT_CHANNEL_ORDER: ChannelOrder = {
  '*': ['EMAIL', 'POST'],
};

export const channelOrderFor = (order: ChannelOrder, kind: NoticeKind): readonly ChannelKind[] =>
  order[kind] ?? order['*'] ?? [];

/**
 * The first channel in the order that can reach the recipient. A channel named in the order but not
 * configured in this deployment is still chosen (and fails loudly): configuration gaps surface,
 * notices never slip to another channel by accident.
 */
export function chooseChannel(
  channels: ReadonlyMap<ChannelKind, NoticeChannel>,
  order: readonly ChannelKind[],
  kind: NoticeKind,
  recipient: Recipient,
): NoticeChannel {
  for (const name of order) {
    const channel = channels.get(name) ?? new UnavailableChannel(name);
    if (channel.canReach(recipient)) return channel;
  }
  throw new NoReachableChannelError(kind, order);
}

/** What a channel needs from the contact data. */
export function reaches(kind: ChannelKind, contact: Contact): boolean {
  switch (kind) {
    case 'LOCAL_FOLDER':
      return true;
    case 'POST':
      return Boolean(contact.address?.trim());
    case 'SMS':
    case 'ALIMTALK':
      return Boolean(contact.phone?.trim());
    case 'EMAIL':
      return Boolean(contact.email?.trim());
  }
}

/** A channel this deployment has no adapter for at all: reachable as the contact says, never delivers. */
export class UnavailableChannel implements NoticeChannel {
  constructor(readonly kind: ChannelKind) {}
  canReach(recipient: Recipient): boolean {
    return reaches(this.kind, recipient.contact);
  }
  async deliver(): Promise<DeliveryReceipt> {
    throw new ChannelNotConfiguredError(this.kind, 'this deployment has no adapter for it');
  }
}
