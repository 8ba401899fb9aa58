/**
 * Each city's settings, one item per city in the cases table, with an append-only record of every
 * change (docs/LEGAL.md "Many cities"). Reads go through a short cache, so a change reaches every
 * function within `cacheSeconds` and a busy function costs one read per city per period.
 *
 *   CITY#<cityId>#SETTINGS / CURRENT              the settings (JSON, validated on every read), version
 *   CITY#<cityId>#SETTINGS / CHANGE#<at>#<version> who changed what, when (before and after)
 */
import { TransactWriteCommand, GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CitySettingsMissingError,
  parseCitySettings,
  type CitySettings,
  type CitySettingsSource,
} from '#domain/city-settings';
import { documentClient, queryAll } from './client';
import { pad, safeId } from './keys';
import { int, str } from './marshal';

export const settingsPk = (cityId: string): string => `CITY#${safeId('cityId', cityId)}#SETTINGS`;
const CURRENT = 'CURRENT';

export interface StoredCitySettings {
  settings: CitySettings;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface CitySettingsChange {
  at: string;
  by: string;
  version: number;
  before: CitySettings | null;
  after: CitySettings;
}

/** Someone else changed the settings since they were read: read again and retry. */
export class SettingsVersionConflictError extends Error {
  override readonly name = 'SettingsVersionConflictError';
}

/** What the officers' settings route needs besides reading: the stored version, changes, history. */
export interface CitySettingsStore extends CitySettingsSource {
  read(cityId: string): Promise<StoredCitySettings | undefined>;
  put(
    settings: CitySettings,
    change: { expectedVersion: number | null; by: string; at: string },
  ): Promise<StoredCitySettings>;
  changes(cityId: string): Promise<CitySettingsChange[]>;
}

export class DynamoDbCitySettings implements CitySettingsStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly cache = new Map<string, { value: CitySettings; until: number }>();

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: { cacheSeconds?: number; now?: () => number } = {},
  ) {
    this.doc = documentClient(client);
  }

  async get(cityId: string): Promise<CitySettings> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(cityId);
    if (hit && hit.until > now) return hit.value;
    const stored = await this.read(cityId);
    if (!stored) throw new CitySettingsMissingError(cityId);
    this.cache.set(cityId, { value: stored.settings, until: now + (this.options.cacheSeconds ?? 60) * 1000 });
    return stored.settings;
  }

  /** The settings as stored, uncached (the officers' route shows the version to change them over). */
  async read(cityId: string): Promise<StoredCitySettings | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { PK: settingsPk(cityId), SK: CURRENT }, ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return {
      settings: parseCitySettings(JSON.parse(str(out.Item.settings, 'settings'))),
      version: int(out.Item.version, 'version'),
      updatedAt: str(out.Item.updatedAt, 'updatedAt'),
      updatedBy: str(out.Item.updatedBy, 'updatedBy'),
    };
  }

  /**
   * Writes new settings over the version read (null: the city has none yet) and records the change
   * with its author, in one transaction. The settings are validated before anything is written.
   */
  async put(
    settings: CitySettings,
    change: { expectedVersion: number | null; by: string; at: string },
  ): Promise<StoredCitySettings> {
    const valid = parseCitySettings(settings);
    const before = await this.read(valid.cityId);
    if ((before?.version ?? null) !== change.expectedVersion)
      throw new SettingsVersionConflictError(
        `settings of ${valid.cityId} are at version ${before?.version ?? 'none'}, not ${change.expectedVersion ?? 'none'}`,
      );
    const version = (before?.version ?? 0) + 1;
    const item = {
      PK: settingsPk(valid.cityId),
      SK: CURRENT,
      recordType: 'CITY_SETTINGS',
      cityId: valid.cityId,
      settings: JSON.stringify(valid),
      version,
      updatedAt: change.at,
      updatedBy: change.by,
    };
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: item,
                ...(before
                  ? {
                      ConditionExpression: '#v = :expected',
                      ExpressionAttributeNames: { '#v': 'version' },
                      ExpressionAttributeValues: { ':expected': before.version },
                    }
                  : { ConditionExpression: 'attribute_not_exists(PK)' }),
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  PK: settingsPk(valid.cityId),
                  SK: `CHANGE#${change.at}#${pad(version)}`,
                  recordType: 'CITY_SETTINGS_CHANGE',
                  cityId: valid.cityId,
                  at: change.at,
                  by: change.by,
                  version,
                  before: before ? JSON.stringify(before.settings) : null,
                  after: JSON.stringify(valid),
                },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof Error && error.name === 'TransactionCanceledException')
        throw new SettingsVersionConflictError(`settings of ${valid.cityId} changed meanwhile`);
      throw error;
    }
    this.cache.delete(valid.cityId);
    return { settings: valid, version, updatedAt: change.at, updatedBy: change.by };
  }

  /** Every change to a city's settings, oldest first. */
  async changes(cityId: string): Promise<CitySettingsChange[]> {
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :change)',
      ExpressionAttributeValues: { ':pk': settingsPk(cityId), ':change': 'CHANGE#' },
    });
    return items.map((i) => ({
      at: str(i.at, 'at'),
      by: str(i.by, 'by'),
      version: int(i.version, 'version'),
      before: typeof i.before === 'string' ? parseCitySettings(JSON.parse(i.before)) : null,
      after: parseCitySettings(JSON.parse(str(i.after, 'after'))),
    }));
  }
}
