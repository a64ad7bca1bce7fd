/** Which setting chose the storage driver: dockerd's flag, its daemon.json, DOCKER_DRIVER, or none (the daemon picked it). */
export type ExplicitSource = 'flag' | 'config_file' | 'env' | 'none';

/** argv[0] looks like dockerd: guards against a pid file naming a reused pid. */
export function isDockerd(program: string): boolean {
  return /(^|\/)dockerd(\.exe)?$/.test(program);
}

/** NUL-separated /proc files (cmdline, environ) into their entries. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((part) => part !== '');
}

export function envValue(environ: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  const entry = environ.find((item) => item.startsWith(prefix));
  return entry === undefined ? undefined : entry.slice(prefix.length);
}
