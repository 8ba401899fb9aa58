/**
 * Refunds and proceeds out of the books:
 *
 *   instruct-refunds   daily at 07:00 in the city's time zone (a ScheduledFunction: own role,
 *                      alarmed dead-letter queue): the previous day's refunds payable become
 *                      instructions in one CSV file per city, `refunds/<cityId>/refund-<cityId>-<YYYYMMDD>.csv`,
 *                      in the print batches' bucket (KMS, versioned, TLS only, archived, retained).
 *                      It writes under refunds/ only (no read, no delete) and reads and writes the table.
 *   RefundPickup       the role the city's finance system assumes to collect the files (read only,
 *                      refunds/ only). It confirms each payment through the API (city-system role).
 *
 * Sale proceeds move to the treasury by a person at the exchange (KRW withdrawals need the account
 * holder's second factor); an officer confirms it through the API. Nothing here touches the exchange.
 */
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '#adapters/env';
import { REFUND_PREFIX } from '#adapters/refund-files';
import { REFUND_INSTRUCTIONS_CRON } from '../../functions/instruct-refunds/config';
import type { Data } from './data';
import type { AppFunction, AppFunctionProps } from './function';
import type { NoticeDelivery } from './notice-delivery';
import type { Observability } from './observability';
import { ScheduledFunction } from './scheduled-function';

export { REFUND_INSTRUCTIONS_CRON } from '../../functions/instruct-refunds/config';

export interface RefundsProps {
  readonly newFunction: (id: string, props: Omit<AppFunctionProps, 'logRetention' | 'metricsNamespace'>) => AppFunction;
  readonly data: Data;
  /** The bucket the city's partners collect their files from. */
  readonly files: NoticeDelivery;
  readonly observability: Observability;
  readonly timezone: string;
  /** Principals allowed to assume the finance system's pickup role (empty: this account, granted by IAM policy). */
  readonly financeSystems?: readonly iam.IPrincipal[];
}

export class Refunds extends Construct {
  readonly instructor: AppFunction;
  readonly run: ScheduledFunction;
  readonly pickupRole: iam.Role;

  constructor(scope: Construct, id: string, props: RefundsProps) {
    super(scope, id);
    this.instructor = props.newFunction('InstructRefundsFunction', {
      name: 'instruct-refunds',
      description:
        'Daily: the previous day’s refunds payable become instructions in a file per city for the finance system',
      timeout: Duration.seconds(120),
    });
    props.data.bindTable(this.instructor);
    props.files.grantFiles(
      this.instructor,
      REFUND_PREFIX,
      ['s3:PutObject'],
      ['kms:GenerateDataKey'],
      'The refund run writes each city’s file of the day under refunds/; no read, no delete, no other prefix.',
    );
    this.instructor.addEnvironment(ENV.refundFileBucket, props.files.bucket.bucketName);

    // A rerun for the same day writes the same file and instructs nothing twice: retried freely.
    this.run = new ScheduledFunction(this, 'InstructRefunds', {
      fn: this.instructor,
      description: 'Refund instructions: the previous day’s refunds in a file per city (07:00 in the city’s time zone)',
      expression: REFUND_INSTRUCTIONS_CRON,
      timezone: props.timezone,
      deliveryRetries: 3,
      runRetries: 2,
      maxEventAge: Duration.hours(6),
      observability: props.observability,
      alarmName: 'RefundSchedule',
    });

    this.pickupRole = props.files.addPickupRole(this, 'RefundPickupRole', {
      prefix: REFUND_PREFIX,
      description: 'Assumed by the city finance system to collect the refund instruction files (read only)',
      principals: props.financeSystems,
      reason:
        'The finance system reads every refund file under refunds/ (one per city per day); nothing else in the bucket, no write.',
    });
  }
}
