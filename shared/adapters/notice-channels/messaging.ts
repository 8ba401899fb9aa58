/**
 * SMS, KakaoTalk alimtalk and e-mail channels. Each turns the rendered notice into its provider's
 * message and hands it to a gateway, the port a provider's client implements. No provider is
 * contracted yet, so every gateway is `NOT_CONFIGURED`, which throws ChannelNotConfiguredError:
 * a notice routed to one of these channels fails loudly (retried, then parked in the dead-letter
 * queue with an alarm) instead of vanishing.
 *
 * What a provider's gateway must do when one is added:
 *  - send exactly one message per `reference` (the delivery's idempotency key), answering the same message id for a
 *    repeat: the dispatcher may hand the same notice over twice after a crash;
 *  - throw on refusal (invalid number, opted out, template rejected) with a PermanentDeliveryError,
 *    and on outages with any other error (retried);
 *  - never log the recipient's number, address or the text.
 */
import type { NoticeKind } from '#domain/case';
import { renderSmsSummary } from '#domain/notices';
import {
  ChannelNotConfiguredError,
  reaches,
  type ChannelKind,
  type DeliveryReceipt,
  type NoticeChannel,
  type OutgoingNotice,
  type Recipient,
} from './channel';
import { noticeText } from './local-folder';

export interface GatewayAnswer {
  /** The provider's id of the accepted message. */
  messageId: string;
  /** When the provider reports delivery synchronously. */
  deliveredAt?: string;
}

export interface SmsMessage {
  to: string;
  /** At most 200 characters (renderSmsSummary): an LMS-sized Korean text with amount, deadline and phone. */
  text: string;
  /** Idempotency key: the delivery's (the notice id). */
  reference: string;
}

export interface AlimtalkMessage {
  to: string;
  /** The template Kakao approved for this kind of notice; the text must match it. */
  templateCode: string;
  text: string;
  /** Sent as SMS by the provider when the recipient cannot receive alimtalk (provider's fallback). */
  fallbackText: string;
  reference: string;
}

export interface EmailMessage {
  to: string;
  subject: string;
  /** Plain UTF-8 text, the full notice. */
  text: string;
  reference: string;
}

export interface SmsGateway {
  send(message: SmsMessage): Promise<GatewayAnswer>;
}
export interface AlimtalkGateway {
  send(message: AlimtalkMessage): Promise<GatewayAnswer>;
}
export interface EmailGateway {
  send(message: EmailMessage): Promise<GatewayAnswer>;
}

/** The gateway of a channel without a provider: refuses every message, loudly. */
export function notConfigured(channel: ChannelKind): SmsGateway & AlimtalkGateway & EmailGateway {
  return {
    send: async () => {
      throw new ChannelNotConfiguredError(channel);
    },
  };
}

abstract class MessagingChannel implements NoticeChannel {
  abstract readonly kind: ChannelKind;
  canReach(recipient: Recipient): boolean {
    return reaches(this.kind, recipient.contact);
  }
  abstract deliver(notice: OutgoingNotice): Promise<DeliveryReceipt>;

  protected receipt(notice: OutgoingNotice, answer: GatewayAnswer): DeliveryReceipt {
    return {
      channel: this.kind,
      reference: answer.messageId,
      sentAt: notice.at.toISOString(),
      ...(answer.deliveredAt ? { deliveredAt: answer.deliveredAt } : {}),
    };
  }
}

const required = (value: string | undefined, what: string): string => {
  const v = value?.trim();
  if (!v) throw new Error(`no ${what} (chooseChannel checks this)`);
  return v;
};

export class SmsChannel extends MessagingChannel {
  readonly kind = 'SMS' as const;
  constructor(private readonly gateway: SmsGateway = notConfigured('SMS')) {
    super();
  }
  async deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const message = {
      to: required(notice.recipient.contact.phone, 'phone number'),
      text: renderSmsSummary(notice.content),
      reference: notice.idempotencyKey,
    };
    return this.receipt(notice, await this.gateway.send(message));
  }
}

export class AlimtalkChannel extends MessagingChannel {
  readonly kind = 'ALIMTALK' as const;
  constructor(
    private readonly gateway: AlimtalkGateway = notConfigured('ALIMTALK'),
    /** Kakao-approved template per notice kind; a kind without one cannot go by alimtalk. */
    private readonly templateCodes: Partial<Record<NoticeKind, string>> = {},
  ) {
    super();
  }
  async deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const templateCode = this.templateCodes[notice.kind];
    if (!templateCode)
      throw new ChannelNotConfiguredError('ALIMTALK', `no approved template for ${notice.kind} notices`);
    const summary = renderSmsSummary(notice.content);
    const message = {
      to: required(notice.recipient.contact.phone, 'phone number'),
      templateCode,
      text: summary,
      fallbackText: summary,
      reference: notice.idempotencyKey,
    };
    return this.receipt(notice, await this.gateway.send(message));
  }
}

export class EmailChannel extends MessagingChannel {
  readonly kind = 'EMAIL' as const;
  constructor(
    private readonly gateway: EmailGateway = notConfigured('EMAIL'),
    /** The provider's acceptance is the notice's receipt (electronic service: recorded when it enters the recipient's mail system). */
    private readonly options: { receiptOnAcceptance?: boolean } = {},
  ) {
    super();
  }
  async deliver(notice: OutgoingNotice): Promise<DeliveryReceipt> {
    const message = {
      to: required(notice.recipient.contact.email, 'e-mail address'),
      subject: `[${notice.content.data.city.cityName}] ${notice.rendered.title}`,
      text: noticeText(notice),
      reference: notice.idempotencyKey,
    };
    const answer = await this.gateway.send(message);
    return this.receipt(
      notice,
      this.options.receiptOnAcceptance && !answer.deliveredAt
        ? { ...answer, deliveredAt: notice.at.toISOString() }
        : answer,
    );
  }
}
