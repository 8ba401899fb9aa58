/**
 * A cases table of its own for each test file, created from the shared table definition on the
 * DynamoDB Local the global setup started, and deleted after the file's tests.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '#adapters/dynamodb/client';
import { DynamoDbCaseStore } from '#adapters/dynamodb/case-store';
import { DynamoDbCitySettings } from '#adapters/dynamodb/city-settings-store';
import type { CitySettings } from '#domain/city-settings';
import { DEMO_CITY_SETTINGS, SEJONG_SETTINGS } from '../../local/cities';

export { SEJONG_SETTINGS };
import { createCasesTable } from '#adapters/dynamodb/local';

export interface TestTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly store: DynamoDbCaseStore;
  /** The cities' settings, read from the table as the functions read them. */
  readonly settings: DynamoDbCitySettings;
}

/** Every test table starts with the settings of the two cities the tests serve. */
export const TEST_CITY_SETTINGS: readonly CitySettings[] = DEMO_CITY_SETTINGS;

/** Call at the top of a test file; the returned object is usable inside tests and hooks. */
export function useCasesTable(): TestTable {
  let state: TestTable | undefined;
  beforeAll(async () => {
    if (!process.env.DYNAMODB_ENDPOINT)
      throw new Error('DYNAMODB_ENDPOINT is not set: is the jest globalSetup configured?');
    const client = createDynamoDbClient();
    const tableName = `cases-test-${process.env.JEST_WORKER_ID ?? '0'}-${randomBytes(4).toString('hex')}`;
    await createCasesTable(client, tableName);
    const settings = new DynamoDbCitySettings(client, tableName);
    for (const s of TEST_CITY_SETTINGS)
      await settings.put(s, { expectedVersion: null, by: 'test-setup', at: '2025-01-01T00:00:00.000Z' });
    state = { client, tableName, store: new DynamoDbCaseStore(client, tableName), settings };
  });
  afterAll(async () => {
    if (!state) return;
    await state.client.send(new DeleteTableCommand({ TableName: state.tableName }));
    state.client.destroy();
  });
  const current = (): TestTable => {
    if (!state) throw new Error('the test table is created in beforeAll: use it inside tests or hooks');
    return state;
  };
  return {
    get client() {
      return current().client;
    },
    get tableName() {
      return current().tableName;
    },
    get store() {
      return current().store;
    },
    get settings() {
      return current().settings;
    },
  };
}
