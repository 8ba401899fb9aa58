/**
 * The trading key rotated while containers run (issue 13 §6): the exchange client of the market
 * steps reads the key from Secrets Manager (the real client against a local stand-in) through
 * Powertools Parameters; the simulator switches the account to a new key pair and revokes the old
 * one; the next call is refused once, the secret is read again exactly once, and the call succeeds.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { decimal } from '#domain/money';
import { AuthenticationFailed } from '#adapters/exchange/exchange';
import { startExchangeSimulator, type ExchangeSimulator } from '../../../local/exchange-sim';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../local/secrets-manager';
import { exchangeFromSecret } from '../../../functions/sale/exchange-client';

const SECRET = 'arn:aws:secretsmanager:ap-northeast-2:111122223333:secret:exchange-trading-key';
const OLD = { accessKey: 'trading-key-2026-11', secretKey: 'old-secret-0123456789abcdef0123456789' };
const NEW = { accessKey: 'trading-key-2026-12', secretKey: 'new-secret-abcdef0123456789abcdef0123' };

let sim: ExchangeSimulator;
let store: LocalSecretsManager;
let client: SecretsManagerClient;

beforeEach(async () => {
  sim = await startExchangeSimulator({
    seed: 5,
    keys: [OLD],
    dataDir: '/nonexistent',
    clock: '2024-01-03T00:00:00Z',
    markets: ['KRW-ETH'],
  });
  sim.accounts.credit('ETH', '2');
  store = await startLocalSecretsManager({ [SECRET]: JSON.stringify(OLD) });
  client = new SecretsManagerClient({
    endpoint: store.url,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterEach(async () => {
  client.destroy();
  await store.close();
  await sim.close();
});

const env = () => ({ EXCHANGE_SECRET_ARN: SECRET, EXCHANGE_BASE_URL: sim.url });
// A lone caller making a handful of requests: the shared budget has nothing to share here.
const unshared = { acquire: () => Promise.resolve() };
const statuses = (path: string) => sim.requests.filter((r) => r.path === path).map((r) => r.status);

describe('a rotated trading key', () => {
  it('is read again after the exchange refuses the old one: exactly one re-read, then the order goes out once', async () => {
    const exchange = await exchangeFromSecret(unshared, env(), client);
    expect((await exchange.balances()).find((b) => b.currency === 'ETH')?.balance.toFixed()).toBe('2');
    // Cached: more calls, no more reads.
    await exchange.balances();
    expect(store.reads(SECRET)).toBe(1);

    // The city rotates the key: a new pair on the same account, the old one revoked, the secret updated.
    sim.keys.rotate(OLD.accessKey, NEW);
    store.put(SECRET, JSON.stringify(NEW));

    const book = (await exchange.orderBooks(['KRW-ETH']))[0]!;
    const placed = await exchange.placeOrResolve({
      market: 'KRW-ETH',
      identifier: 'cheongju.rotation.s1',
      type: 'limit',
      price: book.bids[0]!.price,
      volume: decimal('0.01'),
      timeInForce: 'ioc',
    });
    expect(placed.outcome).toBe('placed');
    expect(store.reads(SECRET)).toBe(2);
    // The refused POST created nothing; the one sent with the new key did.
    expect(statuses('/v1/orders')).toEqual([401, 201]);
    expect(sim.orders.byIdentifier('cheongju.rotation.s1')).toHaveLength(1);
    // The same account: the coins sold came out of the city's balance.
    expect(sim.accounts.balance('ETH').balance.toFixed()).toBe('1.99');

    // From then on the new key is used with no further reads.
    await exchange.balances();
    expect(store.reads(SECRET)).toBe(2);
  });

  it('a key refused while the secret still holds it: read once more, then the refusal is reported (no loop)', async () => {
    const exchange = await exchangeFromSecret(unshared, env(), client);
    sim.keys.rotate(OLD.accessKey, NEW);
    await expect(exchange.balances()).rejects.toBeInstanceOf(AuthenticationFailed);
    expect(store.reads(SECRET)).toBe(2);
    expect(statuses('/v1/accounts')).toEqual([401]);
  });
});
