/**
 * How notices reach people when deployed: the postal print batches in S3 and e-mail through SES v2.
 *
 *   PrintBatches   the bucket the dispatcher writes each city's batch of the day to
 *                  (`print/<cityId>/post-<cityId>-<YYYYMMDD>.prn`): the deployment's KMS key,
 *                  versioned, public access blocked, TLS only, server access logs, moved to Glacier
 *                  Flexible Retrieval after `archiveDays` and deleted after `retentionDays`
 *                  (notices are public records); retained on stack deletion
 *   PrintPickup    the role the city's print contractor assumes to collect the batches (read only)
 *   e-mail         `ses:SendEmail` on the one verified identity, nothing else
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AppFunction } from './function';
import { acknowledgeWildcards } from './nag';
import { ENV } from '#adapters/env';

export interface NoticeDeliveryProps {
  readonly key: kms.IKey;
  /** The sender of notice e-mails, at `sesIdentity`. */
  readonly emailFrom: string;
  /** The SES identity (domain or address) the city verified; the only one the dispatcher may send as. */
  readonly sesIdentity: string;
  readonly archiveDays: number;
  readonly retentionDays: number;
  /** Principals allowed to assume the pickup role (empty: this account, granted by IAM policy). */
  readonly printContractors?: readonly iam.IPrincipal[];
}

/** Where the dispatcher writes print batches (S3PrintBatchChannel's default prefix). */
export const PRINT_PREFIX = 'print/';

export class NoticeDelivery extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly pickupRole: iam.Role;
  readonly sesIdentityArn: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: NoticeDeliveryProps,
  ) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the print batch bucket’s server access logs; logging it into itself would loop.',
    });

    this.bucket = new s3.Bucket(this, 'PrintBatches', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'print-batches/',
      lifecycleRules: [
        {
          id: 'archive-then-expire',
          transitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.archiveDays) }],
          noncurrentVersionTransitions: [
            { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.archiveDays) },
          ],
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(props.retentionDays),
        },
      ],
      // Print batches are the record of what was mailed to whom: kept when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stack = Stack.of(this);
    this.pickupRole = this.addPickupRole(this, 'PrintPickupRole', {
      prefix: PRINT_PREFIX,
      description: 'Assumed by the print-and-mail contractor of the city to collect the print batches (read only)',
      principals: props.printContractors,
      reason:
        'The contractor reads every batch file under print/ (one per city per day); nothing else in the bucket, no write.',
    });

    this.sesIdentityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.sesIdentity });
  }

  /** The dispatcher writes print batches and sends e-mail as the configured identity only. */
  bindDispatcher(fn: AppFunction): void {
    this.grantFiles(
      fn,
      PRINT_PREFIX,
      ['s3:GetObject', 's3:PutObject'],
      ['kms:Decrypt', 'kms:GenerateDataKey'],
      'The dispatcher reads and rewrites the day’s print batch of each city (and its sent markers) under print/; no delete, no other prefix.',
    );
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.sesIdentityArn] }));
    fn.addEnvironment(ENV.printBatchBucket, this.bucket.bucketName);
    fn.addEnvironment(ENV.emailFrom, this.props.emailFrom);
  }

  /**
   * A role a partner of the city assumes to collect its files under one prefix (read only); the
   * bucket also holds other partners' files (print batches, refund instructions), which it cannot read.
   */
  addPickupRole(
    scope: Construct,
    id: string,
    pickup: { prefix: string; description: string; principals?: readonly iam.IPrincipal[] | undefined; reason: string },
  ): iam.Role {
    const role = new iam.Role(scope, id, {
      description: pickup.description,
      assumedBy: pickup.principals?.length
        ? new iam.CompositePrincipal(...pickup.principals)
        : new iam.AccountRootPrincipal(),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${pickup.prefix}*`] } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${pickup.prefix}*`)],
      }),
    );
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.props.key.keyArn] }));
    acknowledgeWildcards(role, { resources: [this.bucket.arnForObjects(`${pickup.prefix}*`)] }, pickup.reason);
    return role;
  }

  /** A function's access to the files under one prefix (its wildcard acknowledged for this grant only). */
  grantFiles(
    fn: AppFunction,
    prefix: string,
    actions: readonly string[],
    keyActions: readonly string[],
    reason: string,
  ): void {
    const objects = this.bucket.arnForObjects(`${prefix}*`);
    fn.role.grantAcknowledged(
      (grantee) => {
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: [...actions], resources: [objects] }),
        );
        grantee.grantPrincipal.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: [...keyActions], resources: [this.props.key.keyArn] }),
        );
      },
      { resources: [objects] },
      reason,
    );
  }
}
