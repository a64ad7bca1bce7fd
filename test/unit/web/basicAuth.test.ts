import bcrypt from 'bcryptjs';
import { BasicAuthChecker, parseBasicAuth } from '../../../src/web/basicAuth';

const hash = bcrypt.hashSync('right', 4);

describe('BasicAuthChecker', () => {
  it('lets the right password in and nothing else, unknown users included', async () => {
    const checker = new BasicAuthChecker(new Map([['prometheus', hash]]));
    expect(await checker.check('prometheus', 'right')).toBe('ok');
    expect(await checker.check('prometheus', 'wrong')).toBe('denied');
    expect(await checker.check('nobody', 'right')).toBe('denied');
    expect(await checker.check('', '')).toBe('denied');
  });

  it('answers the same credentials again from its cache, even after a flood of others', async () => {
    const checker = new BasicAuthChecker(new Map([['prometheus', hash]]), 2, 64, 4);
    expect(await checker.check('prometheus', 'right')).toBe('ok');
    for (let i = 0; i < 10; i++) await checker.check('prometheus', `guess-${i}`);
    // Evicted by the flood, and still right when checked again.
    expect(await checker.check('prometheus', 'right')).toBe('ok');
  });

  it('never runs more checks at once than allowed: the excess is told to come back', async () => {
    const checker = new BasicAuthChecker(new Map([['prometheus', hash]]), 1, 2);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => checker.check('prometheus', `x${i}`)));
    expect(results.filter((r) => r === 'busy')).toHaveLength(5);
    expect(results.filter((r) => r === 'denied')).toHaveLength(3);
  });

  it('forgets old users when the config changes', async () => {
    const checker = new BasicAuthChecker(new Map([['prometheus', hash]]));
    expect(await checker.check('prometheus', 'right')).toBe('ok');
    checker.setUsers(new Map([['grafana', hash]]));
    expect(await checker.check('prometheus', 'right')).toBe('denied');
    expect(await checker.check('grafana', 'right')).toBe('ok');
  });
});

describe('parseBasicAuth', () => {
  it('reads user and password, the password keeping its colons', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('u:p:q').toString('base64')}`)).toEqual({ user: 'u', password: 'p:q' });
    expect(parseBasicAuth('Bearer abc')).toBeUndefined();
    expect(parseBasicAuth(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeUndefined();
    expect(parseBasicAuth(undefined)).toBeUndefined();
  });
});
