import type { NextFunction, Request, Response } from 'express';
import { TLSSocket } from 'node:tls';
import { BasicAuthChecker, parseBasicAuth } from './basicAuth';
import { hasAllowedName, subjectAltNames } from './clientNames';
import { TokenBucket } from './rateLimit';
import { clientAuthPolicy, type ClientAuthPolicy } from './tlsOptions';
import type { RateLimit, WebConfig } from './webConfig';

/** What the web config decides per request: rate, headers, client certificates and their names, basic auth. Swapped whole on reload. */
export class WebSecurity {
  private headers: Record<string, string>;
  private perRequest: ClientAuthPolicy['perRequest'] = 'nothing';
  private allowedSans: string[] | undefined;
  private rateLimit: RateLimit | undefined;
  private bucket: TokenBucket | undefined;
  readonly checker: BasicAuthChecker;

  constructor(config: WebConfig) {
    this.headers = config.headers;
    this.checker = new BasicAuthChecker(config.users);
    this.apply(config);
  }

  apply(config: WebConfig): void {
    this.headers = config.headers;
    this.perRequest = config.tls ? clientAuthPolicy(config.tls.clientAuthType).perRequest : 'nothing';
    this.allowedSans = config.tls?.clientAllowedSans;
    this.checker.setUsers(config.users);
    const limit = config.rateLimit;
    if (limit?.intervalMs !== this.rateLimit?.intervalMs || limit?.burst !== this.rateLimit?.burst) {
      this.rateLimit = limit;
      this.bucket = limit ? new TokenBucket(limit.intervalMs, limit.burst) : undefined;
    }
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if (this.bucket && !this.bucket.take()) {
        res.status(429).type('text/plain').send('Too Many Requests\n');
        return;
      }
      for (const [name, value] of Object.entries(this.headers)) res.setHeader(name, value);
      // Over HTTPS the request's socket is a TLSSocket; over HTTP there is no certificate to look at.
      const socket = req.socket instanceof TLSSocket ? req.socket : undefined;
      if (this.allowedSans) {
        // exporter-toolkit ends the handshake; here the request is refused, saying why.
        const cert = socket?.getPeerCertificate();
        if (!cert || !hasAllowedName(subjectAltNames(cert.subjectaltname), this.allowedSans)) {
          res
            .status(403)
            .type('text/plain')
            .send('Forbidden: the client certificate carries none of the allowed names (client_allowed_sans)\n');
          return;
        }
      }
      if (this.perRequest !== 'nothing') {
        const cert = socket?.getPeerCertificate();
        const given = cert !== undefined && Object.keys(cert).length > 0;
        if (
          (this.perRequest === 'certificate_given' && !given) ||
          (this.perRequest === 'verified_if_given' && given && !socket?.authorized)
        ) {
          res.status(403).type('text/plain').send('Forbidden: client certificate required or not trusted\n');
          return;
        }
      }
      if (!this.checker.enabled) return next();
      const credentials = parseBasicAuth(req.headers.authorization);
      const deny = () => {
        res.setHeader('WWW-Authenticate', 'Basic realm="docker-daemon-exporter"');
        res.status(401).type('text/plain').send('Unauthorized\n');
      };
      if (!credentials) return deny();
      this.checker.check(credentials.user, credentials.password).then(
        (result) => {
          if (result === 'ok') next();
          else if (result === 'busy')
            res.status(503).setHeader('Retry-After', '1').type('text/plain').send('Too many authentication checks at once\n');
          else deny();
        },
        () => deny(),
      );
    };
  }
}
