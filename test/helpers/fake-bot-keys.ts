import { createSign, createHmac, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework's OpenID metadata and signing keys
 * (login.botframework.com/v1/.well-known/openidconfiguration and its jwks_uri), on 127.0.0.1,
 * plus a signer for tokens as the Bot Connector issues them. Keys carry `endorsements` (the
 * channel ids they may sign for), as the real JWKS does. Every request is counted, so a test
 * can prove a forged token was refused before any fetch.
 */

const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function newSigningKey(kid = `kid-${randomUUID().slice(0, 8)}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export interface FakeKeyServer {
  /** What the bot is pointed at: the OpenID configuration document. */
  metadataUrl: string;
  key: SigningKey;
  /** Requests received, metadata and keys alike. */
  requests(): number;
  /** Answer every request with this status (e.g. 500) from now on; undefined restores normal answers. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export async function startFakeKeyServer(options: { endorsements?: string[] } = {}): Promise<FakeKeyServer> {
  const key = newSigningKey();
  const endorsements = options.endorsements ?? ['msteams', 'webchat', 'directline', 'slack'];
  let count = 0;
  let failure: number | undefined;
  let base = '';
  const server: Server = createServer((req, res) => {
    count++;
    if (failure !== undefined) {
      // An upstream error body the bot must never pass on to its caller.
      res.writeHead(failure, { 'content-type': 'text/plain' });
      res.end('upstream exploded: internal detail 0xDEADBEEF');
      return;
    }
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          issuer: BOT_FRAMEWORK_ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        }),
      );
      return;
    }
    if (req.url === '/v1/.well-known/keys') {
      const jwk = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: key.kid, x5t: key.kid, n: jwk.n, e: jwk.e, endorsements }] }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    key,
    requests: () => count,
    failWith: (status) => (failure = status),
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export interface TokenSpec {
  appId: string;
  serviceUrl: string;
  /** Seconds since the epoch; default now. */
  now?: number;
  lifetimeSeconds?: number;
  issuer?: string;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 token as the Bot Connector sends it to a bot (channel token). */
export function signChannelToken(key: SigningKey, spec: TokenSpec): string {
  const now = spec.now ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', typ: 'JWT', kid: key.kid, x5t: key.kid, ...spec.header };
  const payload = {
    serviceurl: spec.serviceUrl,
    nbf: now - 60,
    exp: now + (spec.lifetimeSeconds ?? 3600),
    iss: spec.issuer ?? BOT_FRAMEWORK_ISSUER,
    aud: spec.appId,
    ...spec.claims,
  };
  const input = `${b64(header)}.${b64(payload)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

/** A token with "alg: none" and no signature. */
export function unsignedToken(spec: TokenSpec, kid = 'any'): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ serviceurl: spec.serviceUrl, nbf: now - 60, exp: now + 3600, iss: BOT_FRAMEWORK_ISSUER, aud: spec.appId })}.`;
}

/** An HS256 token keyed with a public value: the classic algorithm-confusion forgery. */
export function hmacToken(secret: string, spec: TokenSpec, kid = 'any'): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64({ serviceurl: spec.serviceUrl, nbf: now - 60, exp: now + 3600, iss: BOT_FRAMEWORK_ISSUER, aud: spec.appId })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
