/**
 * DynamoDB clients. Handlers create one at module scope and hand it to the store. With
 * DYNAMODB_ENDPOINT set (DynamoDB Local), placeholder credentials are used so that no real
 * credential is ever looked up or sent to a local server.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ENV } from '#adapters/env';

export const LOCAL_REGION = 'ap-northeast-2';

export function createDynamoDbClient(
  env: NodeJS.ProcessEnv = process.env,
  extra: DynamoDBClientConfig = {},
): DynamoDBClient {
  const endpoint = env[ENV.dynamodbEndpoint];
  if (!endpoint) return new DynamoDBClient(extra);
  return new DynamoDBClient({
    endpoint,
    region: env.AWS_REGION ?? LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...extra,
  });
}

/**
 * The document client every adapter uses: Number attributes come back as NumberValue
 * (`wrapNumbers`), so a number is never silently turned into a float; absent optional fields
 * are dropped rather than refused.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: true },
  });
}

/** Keys per BatchGetItem request (DynamoDB's limit), and rounds for the keys it leaves unprocessed. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 8;

/**
 * The items of `keys` that exist (strongly consistent unless asked otherwise), in as few BatchGetItem requests as DynamoDB
 * allows (100 keys each); keys left unprocessed (throttling) are asked again after a growing pause.
 * In no particular order: match them by key.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly Record<string, unknown>[],
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  /** Strongly consistent reads (the default); false where a read a moment old does (the latest prices). */
  consistentRead = true,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    let pending = keys.slice(i, i + BATCH_GET_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= BATCH_GET_ROUNDS)
        throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${BATCH_GET_ROUNDS} rounds`);
      if (round > 0) await sleep(Math.min(1000, 50 * 2 ** round));
      const out = await doc.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...pending], ConsistentRead: consistentRead } } }),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}

/** Every item a query matches, following LastEvaluatedKey page by page. */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
