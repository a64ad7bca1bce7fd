import type { NextFunction, Request, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import { BasicAuthChecker, parseBasicAuth } from './basicAuth';
import type { ClientAuthType, WebConfig } from './webConfig';

/** What the web config decides per request: headers, basic auth, client certificates. Swapped whole on reload. */
export class WebSecurity {
  private headers: Record<string, string>;
  private clientAuthType: ClientAuthType | undefined;
  readonly checker: BasicAuthChecker;

  constructor(config: WebConfig) {
    this.headers = config.headers;
    this.clientAuthType = config.tls?.clientAuthType;
    this.checker = new BasicAuthChecker(config.users);
  }

  apply(config: WebConfig): void {
    this.headers = config.headers;
    this.clientAuthType = config.tls?.clientAuthType;
    this.checker.setUsers(config.users);
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      for (const [name, value] of Object.entries(this.headers)) res.setHeader(name, value);
      const socket = req.socket as TLSSocket;
      if (this.clientAuthType === 'RequireAnyClientCert' || this.clientAuthType === 'VerifyClientCertIfGiven') {
        const cert = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
        const given = cert !== undefined && Object.keys(cert).length > 0;
        if ((this.clientAuthType === 'RequireAnyClientCert' && !given) || (this.clientAuthType === 'VerifyClientCertIfGiven' && given && !socket.authorized)) {
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
          else if (result === 'busy') res.status(503).setHeader('Retry-After', '1').type('text/plain').send('Too many authentication checks at once\n');
          else deny();
        },
        () => deny(),
      );
    };
  }
}
