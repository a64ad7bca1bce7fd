import { mkdirSync, writeFileSync } from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { answers, type EngineHost } from '../fixtures/engines/engineHosts';
import { startFakeDockerd, stopPid } from './processes';
import { daemonRoutes, json, ReplayServer, type Route } from './replayServer';

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

/** A container as a replay lists and inspects it. */
export interface ReplayedContainer {
  id: string;
  name: string;
  image: string;
  state: string;
  networkMode: string;
}

/**
 * The API answers of a host of another engine version: /info and /version
 * from its source (answers()), its containers listed and inspected in that
 * version's shapes. Podman lists no HostConfig.
 */
export function replayRoutes(
  host: EngineHost,
  root: string,
  replayed: readonly ReplayedContainer[],
  images?: readonly { id: string; tags: string[] }[],
): Record<string, Route> {
  const { info, version } = answers(host, root);
  // A graph driver lists no RepoDigests for an image built or imported here; the containerd store
  // (daemon/containerd/image_list.go) names every image by its manifest digest.
  const containerdStore = host.driverStatus.some(([k, v]) => k === 'driver-type' && v === 'io.containerd.snapshotter.v1');
  const digests = (i: { id: string; tags: string[] }) => (containerdStore ? i.tags.map((t) => `${t.replace(/:[^:/]*$/, '')}@${i.id}`) : []);
  const imageRoutes: Record<string, Route> = images
    ? { '/images/json': json(images.map((i) => ({ Id: i.id, RepoTags: i.tags, RepoDigests: digests(i), Containers: -1, Size: 0 }))) }
    : {};
  const containers = replayed.map((c) => ({
    Id: c.id,
    Names: [`/${c.name}`],
    Image: c.image,
    State: c.state,
    ...(host.podman ? {} : { HostConfig: { NetworkMode: c.networkMode } }),
  }));
  return {
    ...daemonRoutes({ ...info, Containers: replayed.length, ...(images ? { Images: images.length } : {}) }, containers),
    ...imageRoutes,
    '/version': (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(version));
    },
    '/containers/*/json': (req: http.IncomingMessage, res: http.ServerResponse) => {
      const id = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('/')[2] ?? '';
      const c = replayed.find((x) => x.id === id);
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          Id: id,
          Name: `/${c?.name}`,
          // RestartCount: always in an inspect, 0 until the restart policy restarts it (api/types/types.go ContainerJSONBase at v20.10.24
          // and v26.1.5; api/types/container/container.go at docker-v29.0.0).
          RestartCount: 0,
          State: { Status: c?.state },
          Config: { Image: c?.image },
          HostConfig: { NetworkMode: c?.networkMode === 'default' ? 'bridge' : c?.networkMode },
        }),
      );
    },
  };
}

/**
 * A host of another engine version: its API answers replayed on a unix socket, its data root laid
 * out, and for Docker a process with dockerd's command line and pid file (what the exporter reads to
 * tell whether the driver is explicit).
 */
export async function startEngineReplay(host: EngineHost, dir: string): Promise<EngineReplay> {
  const root = path.join(dir, 'root');
  const routes = replayRoutes(host, root, [
    { id: '1'.repeat(64), name: 'web', image: 'nginx', state: 'running', networkMode: 'default' },
    { id: '2'.repeat(64), name: 'db', image: 'postgres', state: 'running', networkMode: 'default' },
    { id: '3'.repeat(64), name: 'job', image: 'busybox', state: 'exited', networkMode: 'none' },
  ]);
  const server = new ReplayServer(path.join(dir, 'docker.sock'), routes, host.apiVersion);
  const pidFile = path.join(dir, 'docker.pid');
  let pid: number | undefined;
  layOut(root, host.dirs);
  await server.start();
  try {
    if (!host.podman) {
      // A daemon named a --config-file only with the file there: dockerd refuses to start without it.
      const configFile = path.join(dir, 'daemon.json');
      if (host.daemonJson !== undefined) writeFileSync(configFile, host.daemonJson);
      const configFlag = host.daemonJson !== undefined ? ['--config-file', configFile] : [];
      pid = startFakeDockerd(dir, ['--data-root', root, ...(host.args ?? []), ...configFlag]).pid;
      writeFileSync(pidFile, `${pid}\n`);
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    // Without --config-file the daemon reads the system's daemon.json: this host has none, not this machine's.
    flags: ['--docker.host', server.host, '--docker.pid-file', pidFile, '--docker.daemon-config', path.join(dir, 'no-daemon.json')],
    async stop() {
      await stopPid(pid);
      await server.stop();
    },
  };
}
