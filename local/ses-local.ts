/**
 * A local Amazon SES v2 endpoint for tests and the local stack: the `aws-ses-v2-local` server, run in
 * this process on a free port. The e-mail channel's real SDK client sends to it; the messages it
 * accepted are listed from its store (also in its web viewer at the endpoint).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import startSesServer from 'aws-ses-v2-local';

export interface LocalEmail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  headers?: { name: string; value: string }[];
}

export interface LocalSes {
  /** `http://127.0.0.1:<port>`: SES_ENDPOINT for the e-mail channel's client. */
  readonly endpoint: string;
  /** Every message the server accepted, oldest first. */
  emails(): Promise<LocalEmail[]>;
  stop(): Promise<void>;
}

export async function startLocalSes(options: { port?: number } = {}): Promise<LocalSes> {
  const server: Server = await startSesServer({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // The store lives in this process and outlives a server: start each from empty.
  await fetch(`${endpoint}/clear-store`, { method: 'POST' });
  return {
    endpoint,
    async emails() {
      const answer = await fetch(`${endpoint}/store`);
      if (!answer.ok) throw new Error(`the local SES server answered ${answer.status}`);
      return ((await answer.json()) as { emails: LocalEmail[] }).emails;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
