/**
 * E-mail through Amazon SES v2 (SendEmail, a simple UTF-8 text message from the city's verified
 * identity), the gateway of the EMAIL channel. SES answers with its message id once it accepted the
 * message for delivery, which the dispatcher records as the electronic notice's receipt.
 *
 * SES has no idempotency key on SendEmail: the notice id (the idempotency key) goes with the message
 * as a tag and a header, so a repeat after a crash between sending and recording can be recognised
 * by the recipient's mail system and in SES's event records; the dispatcher's own record of the
 * attempt is what keeps a repeat from happening in the first place.
 *
 * Refusals that retrying cannot fix (a rejected or malformed address, an unverified identity, the
 * account's sending paused) are PermanentDeliveryErrors; throttling and outages are retried.
 */
import { SendEmailCommand, SESv2ServiceException, type SESv2Client } from '@aws-sdk/client-sesv2';
import { PermanentDeliveryError } from './channel';
import type { EmailGateway, EmailMessage, GatewayAnswer } from './messaging';

export interface SesEmailOptions {
  /** The verified sender, e.g. `"청주시 징수과" <notice@cheongju.go.kr>`. */
  from: string;
  /** A configuration set for delivery events (optional). */
  configurationSetName?: string;
}

export class EmailRefusedError extends PermanentDeliveryError {
  override readonly name = 'EmailRefusedError';
}

const PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'BadRequestException',
  'NotFoundException',
]);

export class SesEmailGateway implements EmailGateway {
  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {}

  async send(message: EmailMessage): Promise<GatewayAnswer> {
    try {
      const out = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.options.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
              Headers: [{ Name: 'X-Notice-Id', Value: message.reference }],
            },
          },
          EmailTags: [{ Name: 'noticeId', Value: message.reference.replace(/[^A-Za-z0-9_-]/g, '_') }],
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
        }),
      );
      if (!out.MessageId) throw new Error('SES accepted the message without a message id');
      return { messageId: out.MessageId };
    } catch (error) {
      if (error instanceof SESv2ServiceException && PERMANENT.has(error.name))
        throw new EmailRefusedError(`SES refused the message: ${error.name}`);
      throw error;
    }
  }
}
