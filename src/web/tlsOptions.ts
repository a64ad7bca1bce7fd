import type { ServerOptions } from 'node:https';
import type { SecureVersion } from 'node:tls';

export type ClientAuthType =
  'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';

export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  clientAuthType: ClientAuthType;
  minVersion: SecureVersion;
  maxVersion?: SecureVersion;
  /** client_allowed_sans: the client certificate must carry one of these names (DNS, IP, e-mail or URI), exactly. */
  clientAllowedSans?: string[];
  /** cipher_suites in OpenSSL's names, for TLS up to 1.2 (as in Go, TLS 1.3's are not configurable). */
  ciphers?: string;
  /** prefer_server_cipher_suites (default true). */
  honorCipherOrder: boolean;
  /** curve_preferences in OpenSSL's names, in order. */
  ecdhCurve?: string;
}

/**
 * What each client_auth_type asks of the TLS handshake, and what is left for
 * each request to check: the one place its meaning lives (exporter-toolkit's
 * switch in web/tls_config.go). Node's handshake either verifies a given
 * certificate and fails without one, or lets every client through.
 */
export interface ClientAuthPolicy {
  /** The server asks the client for a certificate. */
  requestCert: boolean;
  /** The handshake fails without a certificate the client CA verifies. */
  rejectUnauthorized: boolean;
  /** What each request must still show: a certificate at all, or that a given one verified. */
  perRequest: 'nothing' | 'certificate_given' | 'verified_if_given';
}

export function clientAuthPolicy(type: ClientAuthType): ClientAuthPolicy {
  switch (type) {
    case 'NoClientCert':
      return { requestCert: false, rejectUnauthorized: false, perRequest: 'nothing' };
    case 'RequestClientCert':
      return { requestCert: true, rejectUnauthorized: false, perRequest: 'nothing' };
    case 'RequireAnyClientCert':
      return { requestCert: true, rejectUnauthorized: false, perRequest: 'certificate_given' };
    case 'VerifyClientCertIfGiven':
      return { requestCert: true, rejectUnauthorized: false, perRequest: 'verified_if_given' };
    case 'RequireAndVerifyClientCert':
      return { requestCert: true, rejectUnauthorized: true, perRequest: 'nothing' };
  }
}

/** The one set of TLS options: what the server serves with, and what web config is checked with when it is loaded. */
export function tlsServerOptions(tls: TlsSettings): ServerOptions {
  const policy = clientAuthPolicy(tls.clientAuthType);
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
    requestCert: policy.requestCert,
    rejectUnauthorized: policy.rejectUnauthorized,
    honorCipherOrder: tls.honorCipherOrder,
    ...(tls.ciphers ? { ciphers: tls.ciphers } : {}),
    ...(tls.ecdhCurve ? { ecdhCurve: tls.ecdhCurve } : {}),
  };
}
