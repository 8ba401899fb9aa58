// ccxt's `upbit` exchange pointed at a URL, driven over stdin/stdout one JSON line per call:
//   in:  {"id":1,"method":"fetchTicker","args":["XRP/KRW"]}
//   out: {"id":1,"result":{...}}  or  {"id":1,"error":{"name":"OrderNotFound","message":"..."}}
// It runs as its own Node process because ccxt's CommonJS build requires ESM-only dependencies
// (@noble/*), which jest's CommonJS runtime cannot load; here ccxt runs as published, as ESM.
import ccxt from 'ccxt';
import { createInterface } from 'node:readline';

const [url, apiKey, secret] = process.argv.slice(2);
const exchange = new ccxt.upbit({ apiKey, secret, timeout: 5000 });
exchange.urls.api = { public: url, private: url };

const out = (message) => process.stdout.write(JSON.stringify(message) + '\n');
for await (const line of createInterface({ input: process.stdin })) {
  const { id, method, args } = JSON.parse(line);
  try {
    // JSON has no `undefined`: a null argument stands for an omitted one.
    out({ id, result: (await exchange[method](...args.map((a) => a ?? undefined))) ?? null });
  } catch (e) {
    out({ id, error: { name: e?.constructor?.name ?? 'Error', message: String(e?.message ?? e) } });
  }
}
