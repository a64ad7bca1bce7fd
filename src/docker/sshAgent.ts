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
export class SshAgent extends http.Agent {
  private client: Promise<Client> | undefined;

  constructor(private readonly config: ConnectConfig) {
    super({ keepAlive: true, maxSockets: MAX_CHANNELS, maxFreeSockets: 4 });
  }

  /** A dial-stdio channel for each connection the agent wants, handed over by the callback (Node's Agent takes it so when this returns undefined). */
  override createConnection(
    _options: http.ClientRequestArgs,
    done?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // Node's types make the stream required; on an error Node's Agent takes none.
    const give = (done ?? (() => undefined)) as (err: Error | null, stream?: Duplex) => void;
    this.connect().then(
      (c) =>
        c.exec('docker system dial-stdio', (err, channel) => {
          if (err) return give(err);
          // What dial-stdio says on stderr (no daemon there) is not the HTTP answer; read it so it never stalls the channel.
          channel.stderr.resume();
          give(null, socketLike(channel));
        }),
      (err: unknown) => give(err instanceof Error ? err : new Error(String(err))),
    );
    return undefined;
  }

  /** The channels, then the ssh connection under them. */
  override destroy(): void {
    super.destroy();
    void this.client?.then(
      (c) => c.end(),
      () => undefined,
    );
  }

  /** The one ssh connection, made at the first request and again after it closed or failed. */
  private connect(): Promise<Client> {
    this.client ??= new Promise<Client>((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => resolve(c));
      // Every error, before and after ready: the next request connects again.
      c.on('error', (err) => {
        this.client = undefined;
        reject(err);
      });
      c.once('close', () => {
        this.client = undefined;
      });
      c.connect(this.config);
    });
    return this.client;
  }
}
