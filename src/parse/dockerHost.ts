/**
 * Where the daemon listens, as DOCKER_HOST names it. A tcp port left out is
 * chosen later (2375, or 2376 with TLS, as the docker CLI does), so it is
 * optional here.
 */
export type DockerEndpoint =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; host: string; port?: number }
  | { kind: 'ssh'; host: string; port: number; username?: string };

/** `unix:///path`, `tcp://host[:port]` or `ssh://[user@]host[:port]`; throws a one-line reason on anything else. */
export function parseDockerHost(text: string): DockerEndpoint {
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`unix socket path must be absolute: ${text}`);
    return { kind: 'unix', socketPath };
  }
  const scheme = /^(tcp|ssh):\/\//.exec(text)?.[1];
  if (scheme === undefined)
    throw new Error(`expected unix:///path, tcp://host:port or ssh://[user@]host[:port], got ${JSON.stringify(text)}`);
  let url: URL;
  try {
    // URL parses host, port and user of a special scheme only; http stands in for both.
    url = new URL(`http://${text.slice(scheme.length + 3)}`);
  } catch {
    throw new Error(`not an address: ${JSON.stringify(text)}`);
  }
  if (url.pathname !== '/' || url.search || url.hash)
    throw new Error(`${scheme} address takes only ${scheme === 'ssh' ? 'user, ' : ''}host and port: ${text}`);
  if (url.password) throw new Error(`ssh address takes no password (use a key): ${text.replace(/:[^:@/]*@/, ':***@')}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') throw new Error(`no host in ${JSON.stringify(text)}`);
  const port = url.port === '' ? undefined : Number(url.port);
  if (scheme === 'tcp') {
    if (url.username) throw new Error(`tcp address takes only host and port: ${text}`);
    return port === undefined ? { kind: 'tcp', host } : { kind: 'tcp', host, port };
  }
  const username = decodeURIComponent(url.username);
  return { kind: 'ssh', host, port: port ?? 22, ...(username ? { username } : {}) };
}
