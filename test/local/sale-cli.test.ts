import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, sum } from '#domain/money';
import { DEFAULT_EXECUTION_POLICY, priceBandViolation } from '#domain/execution-policy';
import { UpbitExchange } from '#adapters/exchange/upbit';
import { startExchangeSimulator, type ExchangeSimulator } from '../../local/exchange-sim';
import { SALE_COMMAND, main, minutePrices, runDesk } from '../../local/sale';
import { parseCommandLine } from '../../local/cli';

const KEY = { accessKey: 'cli-access', secretKey: 'cli-secret' };
let sim: ExchangeSimulator;

beforeEach(async () => {
  // Synthetic markets (no data folder): the test does not depend on files outside the repository.
  sim = await startExchangeSimulator({
    seed: 15,
    keys: [KEY],
    dataDir: '/nonexistent',
    clock: '2024-03-04T05:06:07Z',
    markets: ['KRW-BTC', 'KRW-ETH'],
  });
});
afterEach(async () => sim.close());

function deps(lines: string[]) {
  return {
    exchange: new UpbitExchange({
      baseUrl: sim.url,
      accessKey: KEY.accessKey,
      secretKey: KEY.secretKey,
      settleDelayMs: 0,
      resolveDelayMs: 0,
      backoffBaseMs: 1,
    }),
    recentPrices: (market: string) => minutePrices(sim.url, market),
    // Real time on the simulator's clock: a wait moves it.
    sleep: (ms: number) => {
      sim.clock.advance(ms);
      return Promise.resolve();
    },
    now: () => sim.clock.now(),
    print: (line: string) => void lines.push(line),
  };
}

const args = (argv: string[]) => {
  const parsed = parseCommandLine(SALE_COMMAND, argv);
  if (parsed.kind !== 'run') throw new Error(parsed.kind === 'error' ? parsed.message : 'help');
  return parsed.args;
};

describe('npm run sale', () => {
  it('refuses unknown flags and incomplete command lines; prints its help', async () => {
    expect(
      parseCommandLine(SALE_COMMAND, ['--base-url', 'http://x', '--market', 'KRW-BTC', '--quantity', '1', '--fast']),
    ).toMatchObject({ kind: 'error' });
    expect(parseCommandLine(SALE_COMMAND, ['--market', 'KRW-BTC', '--quantity', '1'])).toEqual({
      kind: 'error',
      message: '--base-url is required',
    });
    expect(parseCommandLine(SALE_COMMAND, ['--base-url', 'http://x', '--market', 'KRW-BTC'])).toEqual({
      kind: 'error',
      message: 'give either --quantity or --cases',
    });
    expect(
      parseCommandLine(SALE_COMMAND, ['--base-url', 'http://x', '--market', 'KRW-BTC', '--quantity=0']),
    ).toMatchObject({ kind: 'error', message: expect.stringMatching(/positive decimal/) });
    const help = parseCommandLine(SALE_COMMAND, ['--help']);
    expect(help.kind === 'help' && help.text).toMatch(/--execute[\s\S]*--cases FILE/);
    const lines: string[] = [];
    expect(
      await main(['--base-url', sim.url, '--market', 'KRW-BTC', '--quantity', '0.1'], {}, (l) => void lines.push(l)),
    ).toBe(2); // no key pair
    expect(sim.orders.all()).toHaveLength(0);
  });

  it('a dry run reports what it would sell, at what pace and why, and places nothing', async () => {
    sim.accounts.credit('BTC', '3', KEY.accessKey);
    const lines: string[] = [];
    const result = await runDesk(args(['--base-url', sim.url, '--market', 'KRW-BTC', '--quantity', '2']), deps(lines));
    expect(result.orders).toBe(0);
    expect(sim.orders.all()).toHaveLength(0);
    const text = lines.join('\n');
    expect(text).toMatch(/to sell 2 coins, worth about ₩\d+/);
    expect(text).toMatch(/pace: .+/);
    expect(text).toMatch(/urgency κ = .+ expected cost ₩\d+ ± ₩\d+/);
    expect(text).toMatch(/first slice: [\d.]+ coins, limit IOC at \d+ \(bound by [A-Z_]+\)/);
    expect(text).toMatch(/nothing placed \(dry run\)/);
  });

  it('a desk run sells the cases’ combined quantity within the band, each case’s share of every order printed; the exchange’s fills equal the shares', async () => {
    sim.accounts.credit('ETH', '10', KEY.accessKey);
    const dir = mkdtempSync(join(tmpdir(), 'sale-cli-'));
    const file = join(dir, 'cases.json');
    writeFileSync(
      file,
      JSON.stringify([
        { caseId: 'A', quantity: '0.6' },
        { caseId: 'B', quantity: '0.3' },
        { caseId: 'C', quantity: '0.1' },
      ]),
    );
    const lines: string[] = [];
    const result = await runDesk(
      args([
        '--base-url',
        sim.url,
        '--market',
        'KRW-ETH',
        '--cases',
        file,
        '--execute',
        '--identifier-prefix',
        'cli-test',
      ]),
      deps(lines),
    );
    const orders = sim.orders.all();
    expect(orders.length).toBe(result.orders);
    expect(result.orders).toBeGreaterThan(0);
    expect(orders.every((o) => o.identifier?.startsWith('cli-test.s'))).toBe(true);
    const exchangeSold = sum(orders.flatMap((o) => o.trades.map((t) => t.volume)));
    expect(exchangeSold.eq(result.soldQuantity)).toBe(true);
    expect(result.soldQuantity.toFixed()).toBe('1');
    // Each case's shares, as printed, add up to what it offered; every order priced within the band.
    const shares = (id: string) =>
      sum(
        lines
          .filter((l) => l.startsWith(`    ${id}: `) && l.includes('gross'))
          .map((l) => new Decimal(/: ([\d.]+) \(/.exec(l)![1]!)),
      );
    expect([shares('A').toFixed(), shares('B').toFixed(), shares('C').toFixed()]).toEqual(['0.6', '0.3', '0.1']);
    for (const o of orders) {
      expect([o.ordType, o.timeInForce]).toEqual(['limit', 'ioc']);
      expect(
        priceBandViolation(o.price!, sim.market('KRW-ETH').midAt(o.createdAt.getTime()), DEFAULT_EXECUTION_POLICY),
      ).toBe(false);
    }
    expect(lines.at(-1)).toMatch(/done: \d+ orders, sold 1 of 1, net ₩\d+, implementation shortfall -?[\d.]+ bps/);
  });

  it('an order whose outcome is unknown stops the run: it is reported with its identifier, never re-sent under a new one', async () => {
    sim.accounts.credit('ETH', '10', KEY.accessKey);
    sim.faults.lateProcessing({ afterMs: 15 * 60_000, mode: 'destroy' });
    const lines: string[] = [];
    const result = await runDesk(
      args([
        '--base-url',
        sim.url,
        '--market',
        'KRW-ETH',
        '--quantity',
        '1',
        '--execute',
        '--identifier-prefix',
        'doubt',
      ]),
      deps(lines),
    );
    expect(result.orders).toBe(1);
    expect(lines.join('\n')).toMatch(/order doubt\.s1: inDoubt .*stopped: look it up before selling again/);
    // Only the one identifier was ever sent; once processed late it is the only order on the account.
    expect(sim.orders.rejections().filter((r) => r.identifier !== 'doubt.s1')).toHaveLength(0);
    sim.clock.advance(16 * 60_000);
    await minutePrices(sim.url, 'KRW-ETH'); // any request lets the late order be processed
    expect(sim.orders.all().map((o) => o.identifier)).toEqual(['doubt.s1']);
  });
});
