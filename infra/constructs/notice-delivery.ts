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
    Validations.of(this.accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This bucket receives the print batch bucket’s server access logs; logging it into itself would loop.' });

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
          noncurrentVersionTransitions: [{ storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(props.archiveDays) }],
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(props.retentionDays),
        },
      ],
      // Print batches are the record of what was mailed to whom: kept when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stack = Stack.of(this);
    this.pickupRole = new iam.Role(this, 'PrintPickupRole', {
      description: 'Assumed by the print-and-mail contractor of the city to collect the print batches (read only)',
      assumedBy: props.printContractors?.length ? new iam.CompositePrincipal(...props.printContractors) : new iam.AccountRootPrincipal(),
    });
    this.pickupRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': [`${PRINT_PREFIX}*`] } } }));
    this.pickupRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${PRINT_PREFIX}*`)] }));
    this.pickupRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.key.keyArn] }));
    acknowledgeWildcards(this.pickupRole, { resources: [this.bucket.arnForObjects(`${PRINT_PREFIX}*`)] }, 'The contractor reads every batch file under print/ (one per city per day); nothing else in the bucket, no write.');

    this.sesIdentityArn = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: props.sesIdentity });
  }

  /** The dispatcher writes print batches and sends e-mail as the configured identity only (policies of their own). */
  bindDispatcher(fn: AppFunction): void {
    const objects = this.bucket.arnForObjects(`${PRINT_PREFIX}*`);
    const printBatches = new iam.Policy(fn, 'PrintBatches', {
      roles: [fn.role],
      statements: [
        new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [objects] }),
        new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.props.key.keyArn] }),
      ],
    });
    acknowledgeWildcards(printBatches, { resources: [objects] }, 'The dispatcher reads and rewrites the day’s print batch of each city (and its sent markers) under print/; no delete, no other prefix.');
    new iam.Policy(fn, 'SendEmail', { roles: [fn.role], statements: [new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.sesIdentityArn] })] });
    fn.addEnvironment(ENV.printBatchBucket, this.bucket.bucketName);
    fn.addEnvironment(ENV.emailFrom, this.props.emailFrom);
  }
}
