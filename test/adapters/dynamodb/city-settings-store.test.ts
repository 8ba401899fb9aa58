/** Each city's settings item: validated on every read, cached briefly, changed over a version with a record. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#adapters/dynamodb/client';
import { DynamoDbCitySettings, settingsPk } from '#adapters/dynamodb/city-settings-store';
import { CitySettingsMissingError, DEFAULT_CITY_SETTINGS, InvalidCitySettingsError } from '#domain/city-settings';
import { useCasesTable } from '../../support/dynamodb';

const table = useCasesTable();

describe('DynamoDbCitySettings', () => {
  it('serves from its cache for cacheSeconds, then reads the change', async () => {
    let now = 1_000_000;
    const reader = new DynamoDbCitySettings(table.client, table.tableName, { cacheSeconds: 60, now: () => now });
    expect((await reader.get('cheongju')).notices.phone).toBe(DEFAULT_CITY_SETTINGS.notices.phone);
    const changed = { ...DEFAULT_CITY_SETTINGS, notices: { ...DEFAULT_CITY_SETTINGS.notices, phone: '043-201-9999' } };
    await table.settings.put(changed, { expectedVersion: 1, by: 'kim.officer', at: '2025-09-01T00:00:00.000Z' });
    now += 59_000;
    expect((await reader.get('cheongju')).notices.phone).toBe(DEFAULT_CITY_SETTINGS.notices.phone);
    now += 2_000;
    expect((await reader.get('cheongju')).notices.phone).toBe('043-201-9999');
  });

  it('refuses a city without settings, and a stored item that fails the schema', async () => {
    const reader = new DynamoDbCitySettings(table.client, table.tableName);
    await expect(reader.get('busan')).rejects.toThrow(CitySettingsMissingError);
    await documentClient(table.client).send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          PK: settingsPk('gwangju'),
          SK: 'CURRENT',
          settings: JSON.stringify({ ...DEFAULT_CITY_SETTINGS, cityId: 'gwangju', preSaleNoticeDays: -3 }),
          version: 1,
          updatedAt: 'x',
          updatedBy: 'y',
        },
      }),
    );
    await expect(reader.get('gwangju')).rejects.toThrow(InvalidCitySettingsError);
  });

  it('writes only over the version read, and never invalid settings', async () => {
    await expect(
      table.settings.put(
        { ...DEFAULT_CITY_SETTINGS, cityId: 'daejeon' },
        { expectedVersion: 3, by: 'a', at: '2025-09-01T00:00:00.000Z' },
      ),
    ).rejects.toThrow(/version none/);
    await expect(
      table.settings.put(
        { ...DEFAULT_CITY_SETTINGS, cityId: 'daejeon', displayName: '' },
        { expectedVersion: null, by: 'a', at: '2025-09-01T00:00:00.000Z' },
      ),
    ).rejects.toThrow(InvalidCitySettingsError);
    await expect(table.settings.read('daejeon')).resolves.toBeUndefined();
  });
});
