/**
 * Counts every AWS SDK request the process makes, without touching the adapters: the SDK clients'
 * common `send` (the smithy Client prototype every service client and the DynamoDB document client
 * share) is wrapped once, and each client's middleware stack gets a counter on first use. DynamoDB
 * requests ask for `ReturnConsumedCapacity: TOTAL` and their read and write units are added up.
 * Each request is tagged by a caller-supplied classifier (for example: does it name the case?).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RequestCount {
  requests: number;
  readUnits: number;
  writeUnits: number;
  /** SQS: messages sent (a batch counts its entries). */
  messages: number;
}

type Classifier = (service: string, operation: string, input: Record<string, unknown>) => string;

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

interface Stack {
  add(mw: unknown, options: { step: string; name: string; override?: boolean }): void;
}

const READ = /^(GetItem|Query|Scan|BatchGetItem|TransactGetItems)$/;

export class AwsMeter {
  /** key: `${tag} ${service} ${operation}` */
  readonly counts = new Map<string, RequestCount>();
  private readonly seen = new WeakSet<object>();
  private restore: (() => void) | undefined;

  constructor(private readonly classify: Classifier) {}

  install(): this {
    const proto = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (...args: unknown[]) => unknown };
    const original = proto.send;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const meter = this;
    proto.send = function (this: { middlewareStack: Stack; config?: { serviceId?: string } }, ...args: unknown[]) {
      meter.attach(this.middlewareStack);
      return original.apply(this, args);
    };
    this.restore = () => {
      proto.send = original;
    };
    return this;
  }

  uninstall(): void {
    this.restore?.();
  }

  private attach(stack: Stack): void {
    if (this.seen.has(stack)) return;
    this.seen.add(stack);
    stack.add(
      (
        next: (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>,
        context: { clientName?: string; commandName?: string },
      ) =>
        async (args: { input: Record<string, unknown> }) => {
          const service = (context.clientName ?? 'unknown').replace(/Client$/, '');
          const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
          if (
            service === 'DynamoDB' &&
            args.input.ReturnConsumedCapacity === undefined &&
            /Item|Query|Scan/.test(operation)
          )
            args.input.ReturnConsumedCapacity = 'TOTAL';
          const tag = this.classify(service, operation, args.input);
          const result = await next(args);
          this.record(`${tag} ${service} ${operation}`, operation, args.input, result.output);
          return result;
        },
      { step: 'initialize', name: 'benchAwsMeter', override: true },
    );
  }

  private record(
    key: string,
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): void {
    const c = this.counts.get(key) ?? { requests: 0, readUnits: 0, writeUnits: 0, messages: 0 };
    c.requests += 1;
    const consumed = output.ConsumedCapacity as Capacity | Capacity[] | undefined;
    for (const u of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
      if (u.ReadCapacityUnits !== undefined || u.WriteCapacityUnits !== undefined) {
        c.readUnits += u.ReadCapacityUnits ?? 0;
        c.writeUnits += u.WriteCapacityUnits ?? 0;
      } else if (READ.test(operation)) c.readUnits += u.CapacityUnits ?? 0;
      else c.writeUnits += u.CapacityUnits ?? 0;
    }
    if (operation === 'SendMessage') c.messages += 1;
    if (operation === 'SendMessageBatch') c.messages += Array.isArray(input.Entries) ? input.Entries.length : 0;
    this.counts.set(key, c);
  }

  /** Sums over the keys that match. */
  total(match: (key: string) => boolean): RequestCount {
    const t: RequestCount = { requests: 0, readUnits: 0, writeUnits: 0, messages: 0 };
    for (const [k, c] of this.counts) {
      if (!match(k)) continue;
      t.requests += c.requests;
      t.readUnits += c.readUnits;
      t.writeUnits += c.writeUnits;
      t.messages += c.messages;
    }
    return t;
  }
}
