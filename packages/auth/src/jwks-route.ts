import { GantryError } from '@gantry/core';
import { sendJsonError, type Route } from '@gantry/edge';
import { publicJwk } from './tokens.ts';
import type { UserPools } from './user-pools.ts';

const PATH = /^\/cognito-idp\/([\w-]+_[0-9A-Za-z]+)\/\.well-known\/(jwks\.json|openid-configuration)$/;

/**
 * `GET <issuer>/.well-known/jwks.json` (the pool's public signing keys) and `openid-configuration`: plain,
 * unsigned routes, as on AWS, for whoever verifies the tokens.
 */
export function jwksRoute(pools: UserPools): Route {
  return {
    name: 'cognito-jwks',
    matches: (req, url) => req.method === 'GET' && url.pathname.startsWith('/cognito-idp/'),
    async handle(_req, res, url) {
      const match = PATH.exec(url.pathname);
      const pool = match && (await pools.store.pool(match[1]!));
      if (!match || !pool) {
        return sendJsonError(res, new GantryError('ResourceNotFoundException', `No user pool at ${url.pathname}: keys are at /cognito-idp/<userPoolId>/.well-known/jwks.json.`, { status: 404 }));
      }
      const issuer = pools.issuer(pool.id);
      const value = match[2] === 'jwks.json'
        ? { keys: [publicJwk(pool.key_id, pool.public_key)] }
        : {
          issuer, jwks_uri: `${issuer}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'], subject_types_supported: ['public'],
          response_types_supported: ['code', 'token'], scopes_supported: ['openid', 'email', 'phone', 'profile'],
        };
      const body = JSON.stringify(value);
      res.writeHead(200, {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=3600', 'access-control-allow-origin': '*',
      });
      res.end(body);
    },
  };
}
