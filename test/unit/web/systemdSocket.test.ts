import { takeSystemdSocket } from '../../../src/web/systemdSocket';

describe('takeSystemdSocket', () => {
  it('takes fd 3 when systemd passed one socket to this process, and clears the variables', () => {
    const env: NodeJS.ProcessEnv = { LISTEN_PID: '42', LISTEN_FDS: '1', LISTEN_FDNAMES: 'docker-daemon-exporter.socket', PATH: '/bin' };
    expect(takeSystemdSocket(env, 42)).toEqual({ fd: 3 });
    expect(env).toEqual({ PATH: '/bin' });
  });

  it.each([
    [{}, 'LISTEN_FDS is not set'],
    [{ LISTEN_PID: '7', LISTEN_FDS: '1' }, 'the sockets are for process 7, this is 42'],
    [{ LISTEN_PID: '42', LISTEN_FDS: '0' }, 'no socket passed: LISTEN_FDS="0"'],
    [{ LISTEN_PID: '42', LISTEN_FDS: '2' }, '2 sockets passed'],
  ])('refuses %j', (env, problem) => {
    const result = takeSystemdSocket({ ...env }, 42);
    expect('problem' in result && result.problem).toContain(problem);
  });
});
