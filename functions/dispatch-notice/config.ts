/**
 * The dispatcher's configuration, read once at start-up; a malformed variable stops the function.
 *
 *   TABLE_NAME              the cases table
 *   MAX_RECEIVE_COUNT       the notice queue's maxReceiveCount (default 5)
 *   NOTICE_CHANNEL_ORDER    JSON: { "*": [...], "<KIND>": [...] } or { "cities": { "<cityId>": {...} }, "*": [...] }
 *                           (default: post for every notice, alimtalk → SMS → post for reminders;
 *                           LOCAL_FOLDER for everything when LOCAL_OUTBOX_DIR is set and no order is)
 *   LOCAL_OUTBOX_DIR        enables the local folder channel (the local stack)
 *   PRINT_BATCH_BUCKET      the postal channel writes the day's print batch per city to this S3 bucket
 *   PRINT_BATCH_DIR         (instead) a durable, private folder for the print batches
 *   EMAIL_FROM              enables e-mail through SES v2 from this verified identity
 *   TAXPAYER_ACCESS_SECRET_ARN, TAXPAYER_PAGE_URL   both set: the pre-sale notice carries the taxpayer's
 *                           self-service link (./self-service-link.ts)
 *   EXCHANGE_NOTICE_CONTACT JSON { "<cityId>": { "address": ..., "email": ... } }: where the exchange
 *                           receives transfer demands (absent: only LOCAL_FOLDER can reach it)
 */
import {
  CHANNEL_KINDS,
  DEFAULT_CHANNEL_ORDER,
  type ChannelKind,
  type ChannelOrder,
  type Contact,
} from '#adapters/notice-channels/index';
import { NOTICE_KINDS } from '#domain/notices';
import * as z from 'zod/mini';
import { ConfigError, ENV, jsonObject, optional, parseEnv, required, whole } from '#adapters/env';

export { ConfigError };

export interface DispatcherConfig {
  tableName: string;
  maxReceiveCount: number;
  channelOrder: (cityId: string) => ChannelOrder;
  localOutboxDir?: string;
  printBatchDir?: string;
  printBatchBucket?: string;
  emailFrom?: string;
  exchangeContact: (cityId: string) => Contact;
  selfService?: { accessSecretArn: string; pageUrl: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function order(value: unknown, name: string): ChannelOrder {
  if (!isObject(value)) throw new ConfigError(`${name} must be an object of channel lists`);
  const out: Record<string, ChannelKind[]> = {};
  for (const [key, list] of Object.entries(value)) {
    if (key === 'cities') continue;
    if (key !== '*' && !(NOTICE_KINDS as readonly string[]).includes(key))
      throw new ConfigError(`${name}: ${key} is not a notice kind`);
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((c) => (CHANNEL_KINDS as readonly unknown[]).includes(c))
    ) {
      throw new ConfigError(`${name}.${key} must be a non-empty list of ${CHANNEL_KINDS.join(', ')}`);
    }
    out[key] = list as ChannelKind[];
  }
  return out;
}

const DispatcherEnv = z.object({
  [ENV.tableName]: required(),
  [ENV.maxReceiveCount]: whole(5, 1, 9999),
  [ENV.localOutboxDir]: optional(),
  [ENV.printBatchDir]: optional(),
  [ENV.printBatchBucket]: optional(),
  [ENV.emailFrom]: optional(),
  [ENV.noticeChannelOrder]: jsonObject(),
  [ENV.exchangeNoticeContact]: jsonObject(),
  [ENV.taxpayerAccessSecretArn]: optional(),
  [ENV.taxpayerPageUrl]: optional(),
});

export function loadDispatcherConfig(env: NodeJS.ProcessEnv = process.env): DispatcherConfig {
  const e = parseEnv(DispatcherEnv, env);
  const localOutboxDir = e[ENV.localOutboxDir];
  const printBatchDir = e[ENV.printBatchDir];
  const printBatchBucket = e[ENV.printBatchBucket];
  const emailFrom = e[ENV.emailFrom];
  const raw = e[ENV.noticeChannelOrder];
  const fallback: ChannelOrder =
    raw === undefined
      ? localOutboxDir
        ? { '*': ['LOCAL_FOLDER'] }
        : DEFAULT_CHANNEL_ORDER
      : order(raw, ENV.noticeChannelOrder);
  const perCity = new Map<string, ChannelOrder>();
  if (isObject(raw) && raw.cities !== undefined) {
    if (!isObject(raw.cities)) throw new ConfigError('NOTICE_CHANNEL_ORDER.cities must be an object');
    for (const [cityId, value] of Object.entries(raw.cities))
      perCity.set(cityId, { ...fallback, ...order(value, `NOTICE_CHANNEL_ORDER.cities.${cityId}`) });
  }

  const contacts = e[ENV.exchangeNoticeContact] ?? {};
  const exchangeContacts = new Map<string, Contact>();
  for (const [cityId, value] of Object.entries(contacts)) {
    if (!isObject(value) || !Object.values(value).every((v) => typeof v === 'string'))
      throw new ConfigError(`EXCHANGE_NOTICE_CONTACT.${cityId} must be an object of strings`);
    const { address, email, phone } = value as Contact;
    exchangeContacts.set(cityId, {
      ...(address ? { address } : {}),
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
    });
  }

  return {
    tableName: e[ENV.tableName],
    maxReceiveCount: e[ENV.maxReceiveCount],
    channelOrder: (cityId) => perCity.get(cityId) ?? fallback,
    ...(localOutboxDir ? { localOutboxDir } : {}),
    ...(printBatchDir ? { printBatchDir } : {}),
    ...(printBatchBucket ? { printBatchBucket } : {}),
    ...(emailFrom ? { emailFrom } : {}),
    exchangeContact: (cityId) => exchangeContacts.get(cityId) ?? {},
    ...selfServiceOf(e[ENV.taxpayerAccessSecretArn], e[ENV.taxpayerPageUrl]),
  };
}

function selfServiceOf(
  accessSecretArn: string | undefined,
  pageUrl: string | undefined,
): Pick<DispatcherConfig, 'selfService'> {
  if (!accessSecretArn && !pageUrl) return {};
  if (!accessSecretArn || !pageUrl)
    throw new ConfigError(`${ENV.taxpayerAccessSecretArn} and ${ENV.taxpayerPageUrl} go together`);
  if (!/^https?:\/\/\S+$/.test(pageUrl)) throw new ConfigError(`${ENV.taxpayerPageUrl} must be an http(s) address`);
  return { selfService: { accessSecretArn, pageUrl } };
}
