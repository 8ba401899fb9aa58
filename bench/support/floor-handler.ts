/**
 * What every function of the stack loads before any code of its own: the handler composed as
 * functions/lambda.ts composes them (middy; Powertools' logger, metrics and tracer) and one DynamoDB
 * document client traced for X-Ray. Bundled like the others; `npm run bench -- bundles` starts it
 * beside the empty handler to show how much of the 2x budget it leaves (docs/BENCHMARKS.md).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaHandler, powertools } from '../../functions/lambda';

const tools = powertools('floor');
const doc = DynamoDBDocumentClient.from(tools.tracer.captureAWSv3Client(new DynamoDBClient({})));

export const handler = lambdaHandler(
  async (event: { id?: string }) => doc.send(new GetCommand({ TableName: 'floor', Key: { id: event.id ?? 'x' } })),
  tools,
);
