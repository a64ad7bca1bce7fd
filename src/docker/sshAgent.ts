import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, ConnectConfig } from 'ssh2';

/**
 * Node's http client calls these on the sockets a keep-alive agent hands it;
 * an ssh channel has none of them (the ssh connection under it keeps itself
 * alive, and the request deadline is the exporter's own).
 */
function socketLike(channel: Duplex): Duplex {
  const target = channel as unknown as Record<string, unknown>;
  for (const method of ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref']) {
    if (typeof target[method] !== 'function') target[method] = () => channel;
  }
  return channel;
}

/** sshd's default MaxSessions is 10: stay below it, the event stream included. */
const MAX_CHANNELS = 8;

/**
 * An http.Agent whose connections are `docker system dial-stdio` on the far
 * side of one shared ssh connection, as the docker CLI reaches ssh://
 * daemons. docker-modem's own ssh transport opens a new ssh connection (and
 * a new dial-stdio) for every request, which made a scrape take seconds
 * (docs/security.md, Remote daemons). Here the ssh connection is kept, and each dial-stdio
 * channel carries keep-alive HTTP requests one after another.
 */
export function sshAgent(config: ConnectConfig): http.Agent {
  let client: Promise<Client> | undefined;
  const connect = (): Promise<Client> => {
    client ??= new Promise<Client>((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => resolve(c));
      // Every error, before and after ready: the next request connects again.
      c.on('error', (err) => {
        client = undefined;
        reject(err);
      });
      c.once('close', () => {
        client = undefined;
      });
      c.connect(config);
    });
    return client;
  };
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CHANNELS, maxFreeSockets: 4 });
  // Node's Agent takes a connection from a callback when createConnection returns nothing.
  (
    agent as unknown as { createConnection: (options: unknown, done: (err: Error | null, socket?: Duplex) => void) => undefined }
  ).createConnection = (_options, done) => {
    connect().then(
      (c) =>
        c.exec('docker system dial-stdio', (err, channel) => {
          if (err) return done(err);
          // What dial-stdio says on stderr (no daemon there) is not the HTTP answer; read it so it never stalls the channel.
          channel.stderr.resume();
          done(null, socketLike(channel));
        }),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
    return undefined;
  };
  const destroy = agent.destroy.bind(agent);
  agent.destroy = () => {
    destroy();
    void client?.then(
      (c) => c.end(),
      () => undefined,
    );
  };
  return agent;
}
