/**
 * A console user as a browser is one: a cookie jar, the console's custom header and the page's Origin on
 * every state-changing request. Options let a test leave out what a forged request could not send.
 */
export class ConsoleUser {
  cookie: string | undefined;
  lastSetCookie: string | undefined;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; consoleHeader?: boolean; origin?: string | null } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.consoleHeader !== false) headers['x-gantry-console'] = '1';
    if (options.origin !== null) headers.origin = options.origin ?? this.baseUrl;
    if (this.cookie) headers.cookie = this.cookie;
    const response = await fetch(this.baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), redirect: 'manual' });
    const setCookie = response.headers.getSetCookie()[0];
    if (setCookie) {
      this.lastSetCookie = setCookie;
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  signInWithKeys(credentials: { accessKeyId: string; secretAccessKey: string }, region?: string) {
    return this.request('POST', '/_console/session', { body: { method: 'access-key', ...credentials, ...(region ? { region } : {}) } });
  }

  signInWithPassword(account: string, userName: string, password: string) {
    return this.request('POST', '/_console/session', { body: { method: 'password', account, userName, password } });
  }

  signOut() {
    return this.request('DELETE', '/_console/session');
  }

  /** One API call through the signing proxy, described as the page describes it. */
  call(service: string, method: string, path: string, options: { region?: string; body?: unknown; query?: Record<string, string>; raw?: { headers: Record<string, string>; body: string } } = {}) {
    return this.request('POST', '/_console/call', {
      body: {
        service, method, path, region: options.region ?? 'us-west-2', query: options.query,
        ...(options.raw ?? (options.body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body) } : {})),
      },
    });
  }
}
