// A real OAuth 2.0 / OpenID Connect provider for polvo's tests, built on
// oidc-provider (pinned in .ci/package.json; install with
// `npm ci --prefix .ci`, which scripts/test.sh does).
//
// Start:   node tests/servers/oidc.mjs [--port N] [--exit-with-stdin]
// Prints:  exactly one line on stdout, `LISTENING http://127.0.0.1:<port>`,
//          once it accepts requests. The issuer is that URL. Everything else
//          (warnings, debug logs) goes to stderr.
// Listens: 127.0.0.1 only; port 0 (ephemeral) unless --port N is given.
//          With --exit-with-stdin it exits when its standard input closes
//          (src/servers.rs uses this, so no server outlives its test).
//
// Environment:
//   OIDC_ACCESS_TOKEN_TTL    access-token lifetime in seconds (default 60),
//                            for every grant including client_credentials
//   OIDC_REFRESH_TOKEN_TTL   refresh-token lifetime in seconds (default 1209600, 14 days)
//   OIDC_ACCESS_TOKEN_FORMAT `opaque` (default; revocable and introspectable) or `jwt`
//   OIDC_LENIENT_CLIENT_AUTH set to 1 to accept client_secret_basic and
//                            client_secret_post interchangeably, as oidc-provider
//                            itself does (by default the registered one is enforced)
//   OIDC_DEBUG               set to 1 to log every request to stderr
//
// Clients (fixed). Every authorization-code client is `application_type:
// native`, so its registered `http://127.0.0.1/callback` matches
// `http://127.0.0.1:<any port>/callback` (RFC 8252 loopback port variance).
// PKCE with S256 is required for every authorization request.
//
//   client_id      auth method          secret          grant types
//   polvo-web      client_secret_basic  web-secret      authorization_code, refresh_token, client_credentials
//   polvo-post     client_secret_post   post-secret     authorization_code, refresh_token, client_credentials
//   polvo-jwt      private_key_jwt      (key below)     authorization_code, refresh_token, client_credentials
//   polvo-public   none (public)        -               authorization_code, refresh_token, device_code
//   polvo-service  client_secret_basic  service-secret  client_credentials
//
// polvo-jwt's private key is tests/fixtures/keys/rsa.pem (RSA
// 2048, PKCS#8, kid `polvo-jwt-1`); it is a test-only key, committed on
// purpose. Its client assertion's `aud` may be the issuer or the token
// endpoint URL.
//
// Scopes: openid offline_access contacts.read contacts.write. Every token
// request without a `resource` parameter is for the one API resource,
// `urn:polvo:api` (the access token's audience), whose scopes are
// contacts.read and contacts.write. Refresh tokens are always issued to
// clients allowed the refresh_token grant (offline_access is not needed),
// and every refresh rotates the refresh token: the old one is then rejected
// with `invalid_grant` (and, as reuse detection, its whole grant is revoked).
//
// The end-user is always the fixed account `sub: "test-user"`, and every
// interaction is approved automatically with everything requested:
//   * GET /auth (authorization endpoint) answers with one 303 straight to the
//     client's redirect_uri carrying `code`, `state` and `iss` (or with the
//     provider's error). The login and consent interactions are completed
//     inside the server, through oidc-provider's real interaction routes.
//   * GET /interaction/<uid> completes the current prompt and redirects on,
//     for a real user agent (with cookies) that reaches it.
//
// Test-only endpoints:
//   POST /__test/device/approve   body (form or JSON) `user_code=...`: the
//                                 end-user approves that device code
//                                 (RFC 8628) through the real /device pages.
//                                 200 {"approved":true,...} or 400 {"error":...}
//   GET  /__test/stats            {"token_requests": N, "by_grant": {"<grant_type>": n, ...}}
//                                 counting every request to /token, counted
//                                 before oidc-provider handles it (so failed
//                                 requests count too; a request with no
//                                 grant_type counts under "none").
//   POST /__test/reset            zeroes those counters; answers with them.
//
// Endpoints are oidc-provider's defaults: /token, /token/revocation,
// /token/introspection, /device/auth, /device, /auth, /jwks, /me,
// /.well-known/openid-configuration.

import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// oidc-provider prints notices with console.info: keep stdout for the
// LISTENING line alone.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const ciRequire = createRequire(join(repoRoot, '.ci', 'package.json'));

async function importFromCi(name) {
  let resolved;
  try {
    resolved = ciRequire.resolve(name);
  } catch (cause) {
    console.error(`oidc.mjs: cannot find ${name} in ${join(repoRoot, '.ci', 'node_modules')}: `
      + 'run `bash scripts/test.sh` (it runs `npm ci --prefix .ci`)');
    throw cause;
  }
  return import(pathToFileURL(resolved).href);
}

const { default: Provider } = await importFromCi('oidc-provider');

// ---------------------------------------------------------------- settings

function argValue(flag) {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}

function envSeconds(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number of seconds, not ${JSON.stringify(raw)}`);
  }
  return value;
}

const PORT = Number(argValue('--port') ?? 0);
const ACCESS_TOKEN_TTL = envSeconds('OIDC_ACCESS_TOKEN_TTL', 60);
const REFRESH_TOKEN_TTL = envSeconds('OIDC_REFRESH_TOKEN_TTL', 14 * 24 * 60 * 60);
const ACCESS_TOKEN_FORMAT = process.env.OIDC_ACCESS_TOKEN_FORMAT || 'opaque';
if (!['opaque', 'jwt'].includes(ACCESS_TOKEN_FORMAT)) {
  throw new Error(`OIDC_ACCESS_TOKEN_FORMAT must be opaque or jwt, not ${ACCESS_TOKEN_FORMAT}`);
}
const DEBUG = process.env.OIDC_DEBUG === '1';

const ACCOUNT_ID = 'test-user';
const API_RESOURCE = 'urn:polvo:api';
const API_SCOPES = 'contacts.read contacts.write';
const REDIRECT_URI = 'http://127.0.0.1/callback';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// Public half of tests/fixtures/keys/rsa.pem.
const POLVO_JWT_PUBLIC_JWK = {
  kty: 'RSA',
  kid: 'polvo-jwt-1',
  use: 'sig',
  e: 'AQAB',
  n: 'uoFAOXD5_C-8rYMPcNVIvyeihjk3a3ZL9VQP1GyKgEuQBw3qq9_iDXt8Q941YQmrmwWm7OQD-m99efx3QOEmdTnl1rqzXoLtctg0JWP1mOppGga9W-t0EbRmfS5-o_h2SxKexs27ymXpJK9sYoow-8DjVrdsSLQseGmhx2BUEFOsGf9Pj_JYUv7hd2ihE7vC8fylGZKgQwzIGcBzx-Dr2VkhiiEdXuee96lJCE_hgmywQ4u4KzVFcpxITQ2rfMKJhOebVZK2b7s6mitriFSqHTLZxiTRbMIleB0F8oJQO76E2a4IGxcTfU6dELALdvL7SFB_oYIQcWH9D1gUUvjTWQ',
};

const AUTH_CODE_CLIENT = {
  application_type: 'native',
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
  redirect_uris: [REDIRECT_URI],
};

const clients = [
  {
    ...AUTH_CODE_CLIENT,
    client_id: 'polvo-web',
    client_secret: 'web-secret',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...AUTH_CODE_CLIENT,
    client_id: 'polvo-post',
    client_secret: 'post-secret',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    ...AUTH_CODE_CLIENT,
    client_id: 'polvo-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [POLVO_JWT_PUBLIC_JWK] },
  },
  {
    application_type: 'native',
    client_id: 'polvo-public',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
  },
  {
    client_id: 'polvo-service',
    client_secret: 'service-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
];

// A fresh signing key for ID tokens (and JWT access tokens) at each start.
const signingJwk = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'polvo-test-op',
  use: 'sig',
};

// ------------------------------------------------------------- the server

const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
});
const ISSUER = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(ISSUER, {
  clients,
  jwks: { keys: [signingJwk] },
  clockTolerance: 0,
  responseTypes: ['code'],
  cookies: { keys: ['polvo-test-cookie-key-not-secret'] },
  scopes: ['openid', 'offline_access', 'contacts.read', 'contacts.write'],
  claims: { openid: ['sub'] },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Tokens live on their own TTLs, not the (server-side) browser session's.
  expiresWithSession: async () => false,
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub };
      },
    };
  },
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    ClientCredentials: ACCESS_TOKEN_TTL,
    RefreshToken: REFRESH_TOKEN_TTL,
    AuthorizationCode: 60,
    DeviceCode: 600,
    IdToken: 3600,
    Interaction: 3600,
    Session: REFRESH_TOKEN_TTL,
    Grant: REFRESH_TOKEN_TTL,
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    deviceFlow: {
      enabled: true,
      // Bare pages: the test endpoint below reads them, nobody looks at them.
      async userCodeInputSource(ctx, form, _out, err) {
        ctx.body = `<!DOCTYPE html><html><body data-error="${err ? err.name : ''}">${form}</body></html>`;
      },
      async userCodeConfirmSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><body>${form}</body></html>`;
      },
      async successSource(ctx) {
        ctx.body = '<!DOCTYPE html><html><body id="polvo-device-approved">approved</body></html>';
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? API_RESOURCE,
      useGrantedResource: async () => true,
      async getResourceServerInfo(_ctx, resourceIndicator) {
        if (resourceIndicator !== API_RESOURCE) {
          throw new Provider.errors.InvalidTarget();
        }
        return {
          scope: API_SCOPES,
          audience: API_RESOURCE,
          accessTokenTTL: ACCESS_TOKEN_TTL,
          accessTokenFormat: ACCESS_TOKEN_FORMAT,
        };
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

provider.on('server_error', (_ctx, err) => console.error('oidc.mjs server_error:', err));
if (DEBUG) {
  for (const event of ['grant.error', 'authorization.error', 'introspection.error',
    'revocation.error', 'end_session.error', 'userinfo.error']) {
    provider.on(event, (_ctx, err) => console.error(`oidc.mjs ${event}:`, err.message, err.error_description ?? ''));
  }
}

// ------------------------------------------------------------ test stats

const stats = { token_requests: 0, by_grant: {} };

function resetStats() {
  stats.token_requests = 0;
  stats.by_grant = {};
}

// ------------------------------------------- strict client auth methods

// oidc-provider accepts client_secret_basic and client_secret_post
// interchangeably for a client registered with either. A test of a client's
// authentication method needs the difference, so unless
// OIDC_LENIENT_CLIENT_AUTH=1 a client registered for one of the two is
// refused (401 invalid_client) when it uses the other.
const LENIENT_CLIENT_AUTH = process.env.OIDC_LENIENT_CLIENT_AUTH === '1';
const CLIENT_AUTH_PATHS = new Set(['/token', '/token/revocation', '/token/introspection', '/device/auth']);
const SECRET_METHODS = new Map(clients
  .filter((c) => ['client_secret_basic', 'client_secret_post'].includes(c.token_endpoint_auth_method))
  .map((c) => [c.client_id, c.token_endpoint_auth_method]));

// The method a request used when its client is registered for the other
// one, or undefined.
function authMethodMismatch(ctx, body) {
  const header = ctx.get('authorization');
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    let basicId;
    try {
      basicId = decodeURIComponent(decoded.slice(0, Math.max(decoded.indexOf(':'), 0)).replace(/\+/g, ' '));
    } catch {
      return undefined; // oidc-provider answers malformed headers itself
    }
    if (SECRET_METHODS.get(basicId) === 'client_secret_post') return 'client_secret_basic';
  }
  if (body.client_secret !== undefined && SECRET_METHODS.get(body.client_id) === 'client_secret_basic') {
    return 'client_secret_post';
  }
  return undefined;
}

// --------------------------------------------------------- small helpers

const BODY_LIMIT = 56 * 1024; // oidc-provider's own limit

async function readRawBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(ctx, raw) {
  if (ctx.is('application/json')) {
    try {
      return JSON.parse(raw || '{}');
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(raw));
}

function sendJson(ctx, status, body) {
  ctx.status = status;
  ctx.type = 'json';
  ctx.set('cache-control', 'no-store');
  ctx.body = body;
}

// A minimal user agent with a cookie jar that follows redirects within the
// issuer, so the server can walk its own interaction pages. It stops at the
// first redirect leaving the issuer (`{ redirect }`) or the first response
// that is not a redirect (`{ status, body }`).
class UserAgent {
  #jar = new Map();

  addSetCookies(setCookies) {
    for (const line of setCookies ?? []) {
      const pair = line.split(';', 1)[0];
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=thu, 01 jan 1970/i.test(line)) {
        this.#jar.delete(name);
      } else {
        this.#jar.set(name, value);
      }
    }
  }

  #cookieHeader() {
    return [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async navigate(url, { method = 'GET', form } = {}) {
    let target = new URL(url, ISSUER);
    let init = { method, form };
    for (let hop = 0; hop < 20; hop += 1) {
      if (target.origin !== ISSUER) return { redirect: target.href };
      const headers = { cookie: this.#cookieHeader() };
      let body;
      if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      }
      const res = await fetch(target, { method: init.method, headers, body, redirect: 'manual' });
      this.addSetCookies(res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        target = new URL(location, target);
        init = { method: 'GET' };
        continue;
      }
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
    }
    throw new Error('too many redirects');
  }
}

// Completes whatever the pending interaction asks, as `test-user`,
// granting everything requested.
async function finishInteraction(ctx) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: ACCOUNT_ID } };
  } else if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session?.accountId ?? ACCOUNT_ID, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    if (missing.rar) {
      for (const detail of missing.rar) grant.addRar(detail);
    }
    const grantId = await grant.save();
    result = { consent: details.grantId ? {} : { grantId } };
  } else {
    result = { error: 'access_denied', error_description: `unhandled prompt ${prompt.name}` };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.respond = false;
}

async function approveDeviceCode(userCode) {
  const agent = new UserAgent();
  const page = await agent.navigate('/device');
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page.body ?? '')?.[1];
  if (!xsrf) return { ok: false, detail: `no device form at /device (status ${page.status})` };
  const done = await agent.navigate('/device', {
    method: 'POST',
    form: { xsrf, user_code: userCode, confirm: 'yes' },
  });
  if (done.body?.includes('id="polvo-device-approved"')) return { ok: true };
  const reason = /data-error="([^"]*)"/.exec(done.body ?? '')?.[1];
  return { ok: false, detail: reason || `status ${done.status ?? 'redirect'}: ${(done.body ?? done.redirect ?? '').slice(0, 300)}` };
}

// ----------------------------------------------------------- middleware

provider.use(async (ctx, next) => {
  if (DEBUG) console.error(`oidc.mjs ${ctx.method} ${ctx.url}`);

  // Test-only endpoints.
  if (ctx.path === '/__test/stats' && ctx.method === 'GET') {
    return sendJson(ctx, 200, stats);
  }
  if (ctx.path === '/__test/reset' && ctx.method === 'POST') {
    resetStats();
    return sendJson(ctx, 200, stats);
  }
  if (ctx.path === '/__test/device/approve' && ctx.method === 'POST') {
    const body = parseBody(ctx, await readRawBody(ctx.req));
    const userCode = body.user_code ?? ctx.query.user_code;
    if (!userCode) return sendJson(ctx, 400, { error: 'user_code is required' });
    const outcome = await approveDeviceCode(String(userCode));
    return outcome.ok
      ? sendJson(ctx, 200, { approved: true, user_code: userCode, account: ACCOUNT_ID })
      : sendJson(ctx, 400, { error: 'not approved', detail: outcome.detail });
  }

  // The endpoints that authenticate clients. Their body is read here and
  // handed on as req.body, which oidc-provider accepts.
  if (CLIENT_AUTH_PATHS.has(ctx.path)) {
    let body = {};
    if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded', 'application/json')) {
      const raw = await readRawBody(ctx.req);
      ctx.req.body = raw;
      body = parseBody(ctx, raw);
    }
    // Count token endpoint requests before oidc-provider sees them.
    if (ctx.path === '/token') {
      stats.token_requests += 1;
      const grant = body.grant_type || 'none';
      stats.by_grant[grant] = (stats.by_grant[grant] ?? 0) + 1;
    }
    if (!LENIENT_CLIENT_AUTH && ctx.method === 'POST') {
      const mismatch = authMethodMismatch(ctx, body);
      if (mismatch) {
        if (mismatch === 'client_secret_basic') {
          ctx.set('www-authenticate', `Basic realm="${ISSUER}", error="invalid_client", error_description="client authentication failed"`);
        }
        return sendJson(ctx, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
      }
    }
    return next();
  }

  // The interaction page: complete the current prompt automatically.
  const interaction = /^\/interaction\/[^/]+$/.exec(ctx.path);
  if (interaction && ctx.method === 'GET') {
    return finishInteraction(ctx);
  }

  // The authorization endpoint: walk the interactions server-side, so the
  // client's user agent gets one redirect to its redirect_uri.
  if (ctx.path === '/auth') {
    await next();
    const location = ctx.response.get('location');
    if (ctx.status >= 300 && ctx.status < 400 && location
      && new URL(location, ISSUER).href.startsWith(`${ISSUER}/interaction/`)) {
      const agent = new UserAgent();
      const setCookie = ctx.response.get('set-cookie');
      agent.addSetCookies(Array.isArray(setCookie) ? setCookie : [setCookie].filter(Boolean));
      const outcome = await agent.navigate(location);
      ctx.remove('set-cookie');
      if (outcome.redirect) {
        ctx.status = 303;
        ctx.redirect(outcome.redirect);
      } else {
        ctx.status = outcome.status;
        if (outcome.type) ctx.type = outcome.type;
        ctx.body = outcome.body;
      }
    }
    return undefined;
  }

  return next();
});

server.on('request', provider.callback());
process.stdout.write(`LISTENING ${ISSUER}\n`);

// --exit-with-stdin: stop when standard input closes, so a server started by
// a test harness never outlives the harness, even one that is killed.
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}

// ------------------------------------------------- verified by hand (curl)
//
// These commands were run against oidc-provider 9.13.3 on Node 20.20, from
// the repository root, with the answers shown after `=>`.
//
//   node tests/servers/oidc.mjs > /tmp/oidc.out &
//   I=$(sed -n 's/^LISTENING //p' /tmp/oidc.out)            # e.g. http://127.0.0.1:38557
//
// Discovery:
//   curl -s $I/.well-known/openid-configuration
//     => 200 {"issuer":"$I", "token_endpoint":"$I/token", ...}
//
// client_credentials, client_secret_basic:
//   curl -s -u polvo-service:service-secret -d grant_type=client_credentials -d scope=contacts.read $I/token
//     => {"access_token":"DClw...","expires_in":60,"scope":"contacts.read","token_type":"Bearer"}
//   curl -s -u polvo-service:wrong -d grant_type=client_credentials $I/token
//     => 401 {"error":"invalid_client","error_description":"client authentication failed"}
//        (with WWW-Authenticate: Basic realm="$I", error="invalid_client", ...)
//
// Authorization code + PKCE (polvo-web), then refresh with rotation:
//   VER=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
//   CH=$(printf %s "$VER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=\n')
//   curl -s -o /dev/null -w '%{redirect_url}' "$I/auth?response_type=code&client_id=polvo-web&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&scope=openid%20offline_access%20contacts.read&state=xyz&code_challenge=$CH&code_challenge_method=S256"
//     => (one 303) http://127.0.0.1:8765/callback?code=3Qmc...&state=xyz&iss=http%3A%2F%2F127.0.0.1%3A38557
//   CODE=<the code parameter of that URL>
//   curl -s -u polvo-web:web-secret -d grant_type=authorization_code -d code=$CODE -d redirect_uri=http://127.0.0.1:8765/callback -d code_verifier=$VER $I/token
//     => {"access_token":"NGjc...","expires_in":60,"id_token":"eyJ...","refresh_token":"$RT1","scope":"contacts.read","token_type":"Bearer"}
//   curl -s -u polvo-web:web-secret -d grant_type=refresh_token -d refresh_token=$RT1 $I/token
//     => {"access_token":"RmUQ...", ..., "refresh_token":"$RT2" (a new one), ...}
//   curl -s -u polvo-web:web-secret -d grant_type=refresh_token -d refresh_token=$RT1 $I/token
//     => 400 {"error":"invalid_grant","error_description":"grant request is invalid"}
//        (and, by reuse detection, $RT2 is revoked too: it then answers the same)
//   Without code_challenge: 303 to the redirect_uri with error=invalid_request,
//   "Authorization Server policy requires PKCE to be used for this request".
//   A wrong code_verifier: 400 invalid_grant.
//
// Revocation and introspection:
//   AT=<an access_token from client_credentials above>
//   curl -s -u polvo-service:service-secret -d token=$AT $I/token/introspection
//     => {"active":true,"client_id":"polvo-service",...,"aud":"urn:polvo:api",...}
//   curl -s -u polvo-service:service-secret -d token=$AT -d token_type_hint=access_token $I/token/revocation
//     => 200 (empty body)
//   curl -s -u polvo-service:service-secret -d token=$AT $I/token/introspection
//     => {"active":false}
//   Revoking a refresh token likewise makes the next refresh answer 400 invalid_grant.
//
// Device flow (polvo-public):
//   curl -s -d client_id=polvo-public -d 'scope=openid offline_access contacts.read' $I/device/auth
//     => {"device_code":"$DC","user_code":"MXVM-TXSV","verification_uri":"$I/device",...,"expires_in":600}
//   curl -s -d client_id=polvo-public -d grant_type=urn:ietf:params:oauth:grant-type:device_code -d device_code=$DC $I/token
//     => 400 {"error":"authorization_pending",...}
//   curl -s -d user_code=MXVM-TXSV $I/__test/device/approve
//     => {"approved":true,"user_code":"MXVM-TXSV","account":"test-user"}
//   (the same device_code request again)
//     => {"access_token":"vdBR...","expires_in":60,"id_token":"eyJ...","refresh_token":"...",...}
//   Approving it again => 400 {"error":"not approved","detail":"AlreadyUsedError"};
//   an unknown code    => 400 {"error":"not approved","detail":"NotFoundError"}.
//
// client_secret_post (polvo-post), and the wrong method for it:
//   curl -s -d grant_type=client_credentials -d client_id=polvo-post -d client_secret=post-secret $I/token
//     => {"access_token":"LzYo...","expires_in":60,"token_type":"Bearer"}
//   curl -s -u polvo-post:post-secret -d grant_type=client_credentials $I/token
//     => 401 {"error":"invalid_client",...}
//
// private_key_jwt (polvo-jwt): an RS256 assertion signed with
// tests/fixtures/keys/rsa.pem, kid polvo-jwt-1, iss = sub = polvo-jwt,
// aud = $I/token, a fresh jti, exp = iat + 60:
//   curl -s -d grant_type=client_credentials -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer -d client_assertion=$ASSERTION $I/token
//     => {"access_token":"c2ZB...","expires_in":60,"token_type":"Bearer"}
//   The same assertion again => 401 invalid_client (jti replay).
//
// Counters:
//   curl -s $I/__test/stats
//     => {"token_requests":11,"by_grant":{"client_credentials":6,"authorization_code":1,"refresh_token":2,"urn:ietf:params:oauth:grant-type:device_code":2}}
//   curl -s -X POST $I/__test/reset
//     => {"token_requests":0,"by_grant":{}}
