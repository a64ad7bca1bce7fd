import { parseContainerConfig } from '../../../src/scan/reclaimable';

describe("parseContainerConfig: what the scan takes of a container's config.v2.json", () => {
  const config = (fields: object) => JSON.stringify({ Driver: 'overlay2', State: { Running: false }, ...fields });

  it('takes the driver, whether it runs, its image and the volumes it mounts (not its bind mounts)', () => {
    const text = config({
      State: { Running: true },
      Image: 'sha256:abc',
      MountPoints: {
        '/data': { Type: 'volume', Name: 'data', Driver: 'local' },
        '/etc/app': { Type: 'bind', Source: '/srv/app', Name: '' },
        '/cache': { Type: 'tmpfs' },
      },
    });
    expect(parseContainerConfig('c1', '/d/containers/c1', text)).toEqual({
      id: 'c1',
      dir: '/d/containers/c1',
      driver: 'overlay2',
      running: true,
      image: 'sha256:abc',
      volumes: ['data'],
    });
  });

  it('counts a named mount without Type (daemons before API 1.25) as a volume', () => {
    expect(parseContainerConfig('c', '/c', config({ MountPoints: { '/v': { Name: 'old', Driver: 'local' } } }))?.volumes).toEqual(['old']);
  });

  it('is undefined for what is not a container config: missing, not JSON, no driver', () => {
    expect(parseContainerConfig('c', '/c', undefined)).toBeUndefined();
    expect(parseContainerConfig('c', '/c', '{"Driver":')).toBeUndefined();
    expect(parseContainerConfig('c', '/c', JSON.stringify({ State: { Running: true } }))).toBeUndefined();
    expect(parseContainerConfig('c', '/c', 'null')).toBeUndefined();
  });

  it('calls a container stopped only when its state says so: an unreadable state is never counted reclaimable', () => {
    expect(parseContainerConfig('c', '/c', JSON.stringify({ Driver: 'vfs' }))?.running).toBe(true);
    expect(parseContainerConfig('c', '/c', JSON.stringify({ Driver: 'vfs', State: { Running: 'no' } }))?.running).toBe(true);
  });
});
