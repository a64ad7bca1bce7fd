import { readFileSync } from 'node:fs';
import { parseUnixSockets } from '../../../src/parse/unixSockets';

describe('parseUnixSockets', () => {
  it('reads the inode, whether the socket listens, and the path with its spaces', () => {
    const text = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '000000001b74c96d: 00000002 00000000 00010000 0001 01 23811 /run/docker.sock',
      '00000000c9489cd8: 00000003 00000000 00000000 0001 03 3658403',
      '0000000071b92572: 00000003 00000000 00000000 0001 03 3658399 /run/docker.sock',
      '00000000860f5c53: 00000002 00000000 00010000 0001 01 1328 /tmp/a dir/with space.sock',
      '00000000860f5c54: 00000002 00000000 00010000 0005 01 1329 @/containerd-shim/abc.sock@',
      'garbage',
      '',
    ].join('\n');
    expect(parseUnixSockets(text)).toEqual([
      { inode: '23811', listening: true, path: '/run/docker.sock' },
      { inode: '3658403', listening: false, path: '' },
      { inode: '3658399', listening: false, path: '/run/docker.sock' },
      { inode: '1328', listening: true, path: '/tmp/a dir/with space.sock' },
      { inode: '1329', listening: true, path: '@/containerd-shim/abc.sock@' },
    ]);
  });

  it("agrees with this machine's own /proc/net/unix: every line but the header is read", () => {
    const text = readFileSync('/proc/net/unix', 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '').length - 1;
    expect(parseUnixSockets(text)).toHaveLength(lines);
  });
});
