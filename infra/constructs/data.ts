/**
 * The cases table, built from the same plain definition DynamoDB Local uses in the tests
 * (shared/adapters/dynamodb/table-definition.ts), so the indexes cannot drift between them.
 * Encrypted with a customer-managed key that this construct owns and other constructs reuse
 * (queues, the exchange secret): one key per deployment, rotated yearly.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CASES_TABLE } from '../../shared/adapters/dynamodb/table-definition';
import type { AppFunction } from './function';
import { ENV } from '#adapters/env';

/** The environment variable the store adapter reads the table name from. */
export const TABLE_NAME_ENV = ENV.tableName;

const ATTRIBUTE_TYPE: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const PROJECTION: Record<string, dynamodb.ProjectionType> = {
  ALL: dynamodb.ProjectionType.ALL,
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
  INCLUDE: dynamodb.ProjectionType.INCLUDE,
};

function attribute(a: { name: string; type: string }): dynamodb.Attribute {
  const type = ATTRIBUTE_TYPE[a.type];
  if (!type) throw new Error(`table definition: unknown attribute type ${a.type} for ${a.name}`);
  return { name: a.name, type };
}

export interface DataProps {
  /** Prefix for the key alias, e.g. `ctr-dev`. */
  readonly namePrefix: string;
}

export class Data extends Construct {
  readonly key: kms.Key;
  readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${props.namePrefix}-data`,
      description: 'Encrypts cases, queues and the exchange keys of crypto-tax-recovery',
      enableKeyRotation: true,
      // Deleting the key would make the retained table unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new dynamodb.TableV2(this, 'Cases', {
      partitionKey: attribute(CASES_TABLE.partitionKey),
      sortKey: attribute(CASES_TABLE.sortKey),
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: CASES_TABLE.timeToLiveAttribute,
      globalSecondaryIndexes: CASES_TABLE.globalSecondaryIndexes.map((index) => {
        const projectionType = PROJECTION[index.projectionType];
        if (!projectionType) throw new Error(`table definition: unknown projection ${index.projectionType}`);
        return {
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: attribute(index.sortKey),
          projectionType,
          ...(projectionType === dynamodb.ProjectionType.INCLUDE
            ? { nonKeyAttributes: index.nonKeyAttributes ?? [] }
            : {}),
        };
      }),
      encryption: dynamodb.TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Cases, ledgers and audit events are public records: never dropped with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Gives a function the table (its indexes and its key) and tells it the table's name. The
   * grant's acknowledged wildcards cover its own statements only: this table and this key.
   */
  bindTable(fn: AppFunction, access: 'read' | 'readWrite' = 'readWrite'): void {
    fn.role.grantAcknowledged(
      (grantee) => (access === 'read' ? this.table.grantReadData(grantee) : this.table.grantReadWriteData(grantee)),
      {
        resources: [`${this.table.tableArn}/index/*`],
        actions: access === 'read' ? [] : ['kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      },
      "Granted by TableV2, for that grant only: /index/* covers exactly this table's indexes (queries by deadline, status and outbox), and the kms:* wildcards are the encrypt/decrypt family on the one table key.",
    );
    fn.addEnvironment(TABLE_NAME_ENV, this.table.tableName);
  }
}
