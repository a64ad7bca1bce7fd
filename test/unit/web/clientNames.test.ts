import { hasAllowedName, subjectAltNames } from '../../../src/web/clientNames';
import { TokenBucket } from '../../../src/web/rateLimit';

describe('client certificate names', () => {
  it("reads Node's subjectAltName text, quoted values included", () => {
    expect(
      subjectAltNames('DNS:prometheus.example, IP Address:10.0.0.1, email:ops@example.org, URI:spiffe://monitoring/prometheus'),
    ).toEqual(['prometheus.example', '10.0.0.1', 'ops@example.org', 'spiffe://monitoring/prometheus']);
    expect(subjectAltNames('DNS:a, DNS:"b, c", DNS:d')).toEqual(['a', 'b, c', 'd']);
    expect(subjectAltNames(undefined)).toEqual([]);
  });

  it('matches exactly, IPv6 in either spelling', () => {
    expect(hasAllowedName(['prometheus.example'], ['prometheus.example'])).toBe(true);
    expect(hasAllowedName(['prometheus.example.evil'], ['prometheus.example'])).toBe(false);
    expect(hasAllowedName(['0:0:0:0:0:0:0:1'], ['::1'])).toBe(true);
    expect(hasAllowedName([], ['x'])).toBe(false);
  });
});

describe('rate_limit token bucket', () => {
  it('lets a burst through, then one request per interval', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, 2, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now = 500;
    expect(bucket.take()).toBe(false);
    now = 1000;
    expect(bucket.take()).toBe(true);
    now = 10000;
    // Never more than the burst saved up.
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
