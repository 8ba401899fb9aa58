/**
 * DynamoDB clients. Handlers create one at module scope and hand it to the store. With
 * DYNAMODB_ENDPOINT set (DynamoDB Local), placeholder credentials are used so that no real
 * credential is ever looked up or sent to a local server.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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
