import { mkdirSync, writeFileSync } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { answers, type EngineHost } from '../fixtures/engines/engineHosts';
import { startFakeDockerd, stopPid } from './processes';
import { daemonRoutes, ReplayServer } from './replayServer';

/** Lays out a data root as the host's engine leaves it: each driver directory with something in it. */
export function layOut(root: string, dirs: readonly string[]): void {
  mkdirSync(root, { recursive: true });
  for (const dir of ['containers', 'image', 'volumes']) mkdirSync(path.join(root, dir), { recursive: true });
  for (const dir of dirs) {
    const inside = {
      devicemapper: ['devicemapper', 'metadata'],
      overlay2: ['l', 'a'.repeat(64)],
      vfs: ['dir', 'b'.repeat(64)],
      overlay: ['c'.repeat(64), 'diff'],
    }[dir] ?? ['x'];
    mkdirSync(path.join(root, dir, ...inside), { recursive: true });
    writeFileSync(path.join(root, dir, ...inside, 'file'), 'data');
  }
}

export interface EngineReplay {
  /** The exporter's flags that reach this host: its socket and the pid file of its (stand-in) daemon process. */
  flags: string[];
  stop(): Promise<void>;
}

/**
 * A host of another engine version: its API answers replayed on a unix socket, its data root laid
 * out, and for Docker a process with dockerd's command line and pid file (what the exporter reads to
 * tell whether the driver is explicit).
 */
export async function startEngineReplay(host: EngineHost, dir: string): Promise<EngineReplay> {
  const root = path.join(dir, 'root');
  const { info, version } = answers(host, root);
  const containers = [
    { Id: '1'.repeat(64), Names: ['/web'], Image: 'nginx', State: 'running', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'default' } }) },
    { Id: '2'.repeat(64), Names: ['/db'], Image: 'postgres', State: 'running', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'default' } }) },
    { Id: '3'.repeat(64), Names: ['/job'], Image: 'busybox', State: 'exited', ...(host.podman ? {} : { HostConfig: { NetworkMode: 'none' } }) },
  ];
  const routes = {
    ...daemonRoutes(info, containers),
    '/version': (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(version));
    },
    '/containers/*/json': (req: http.IncomingMessage, res: http.ServerResponse) => {
      const id = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('/')[2] ?? '';
      const c = containers.find((x) => x.Id === id);
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ Id: id, Name: c?.Names[0], State: { Status: c?.State }, Config: { Image: c?.Image }, HostConfig: { NetworkMode: 'bridge' } }));
    },
  };
  const server = new ReplayServer(path.join(dir, 'docker.sock'), routes, host.apiVersion);
  const pidFile = path.join(dir, 'docker.pid');
  let pid: number | undefined;
  layOut(root, host.dirs);
  await server.start();
  try {
    if (!host.podman) {
      const configFile = path.join(dir, 'daemon.json');
      if (host.daemonJson !== undefined) writeFileSync(configFile, host.daemonJson);
      pid = startFakeDockerd(dir, ['--data-root', root, ...(host.args ?? []), '--config-file', configFile]).pid;
      writeFileSync(pidFile, `${pid}\n`);
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    flags: ['--docker.host', server.host, '--docker.pid-file', pidFile],
    async stop() {
      await stopPid(pid);
      await server.stop();
    },
  };
}
