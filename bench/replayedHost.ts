import * as path from 'node:path';
import { json, ReplayServer } from '../test/helpers/replayServer';

/**
 * A replayed Docker 24 host on overlay2 with `size` containers shaped as dockerd lists them (one in
 * three exited, one in five on the host network, a volume each): for sizes no real daemon here reaches.
 */
export function replayedHost(dir: string, size: number): { server: ReplayServer; listBytes: number } {
  const list = JSON.stringify(
    Array.from({ length: size }, (_, i) => ({
      Id: i.toString(16).padStart(64, 'a'),
      Names: [`/shop_web_${i}`],
      Image: 'registry.example/shop/web:1.4.2',
      ImageID: `sha256:${'d5b81fbc'.repeat(8)}`,
      Command: 'sleep 1000',
      Created: 1795671211,
      Ports: [],
      Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' },
      State: i % 3 ? 'running' : 'exited',
      Status: 'Up 2 hours',
      HostConfig: { NetworkMode: i % 5 === 0 ? 'host' : 'shop_default' },
      NetworkSettings: {
        Networks: {
          shop_default: {
            NetworkID: 'e29250b5'.repeat(8),
            EndpointID: '6c430ff7'.repeat(8),
            Gateway: '172.20.0.1',
            IPAddress: '172.20.0.2',
            IPPrefixLen: 16,
            MacAddress: '02:42:ac:14:00:02',
          },
        },
      },
      Mounts: [
        {
          Type: 'volume',
          Name: `data${i}`,
          Source: `/var/lib/docker/volumes/data${i}/_data`,
          Destination: '/data',
          Driver: 'local',
          Mode: 'z',
          RW: true,
          Propagation: '',
        },
      ],
    })),
  );
  const server = new ReplayServer(path.join(dir, 'docker.sock'), {
    '/info': json({
      ServerVersion: '24.0.7',
      Driver: 'overlay2',
      DriverStatus: [['Backing Filesystem', 'extfs']],
      Images: 12,
      DockerRootDir: '/var/lib/docker',
    }),
    '/volumes': json({ Volumes: [], Warnings: null }),
    '/containers/json': (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(list);
    },
    '/events': (_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.flushHeaders();
    },
  });
  return { server, listBytes: list.length };
}
