import { freePort } from '../../dev/free-port';

/**
 * A typed client for the Toxiproxy HTTP API (the run's server, started by global setup at
 * TEST_TOXIPROXY_URL). A proxy listens on its own port and forwards to `upstream`; toxics change
 * the bytes on the way (direction `downstream` = upstream to client, `upstream` = client to upstream).
 */
export type Toxic =
  /** Adds `latency` ms (± `jitter`) to the data. */
  | { type: 'latency'; attributes: { latency: number; jitter?: number } }
  /** Stops all data, closes the connection after `timeout` ms (0 = never). */
  | { type: 'timeout'; attributes: { timeout: number } }
  /** Resets the connection (TCP RST) after `timeout` ms. */
  | { type: 'reset_peer'; attributes: { timeout: number } }
  /** Limits the rate to `rate` KB/s. */
  | { type: 'bandwidth'; attributes: { rate: number } }
  /** Closes the connection after `bytes` bytes. */
  | { type: 'limit_data'; attributes: { bytes: number } };

export interface ToxicOptions {
  name?: string;
  stream?: 'upstream' | 'downstream';
  /** Share of connections affected, 0..1 (default 1). */
  toxicity?: number;
}

export class ToxiproxyApiError extends Error {
  override name = 'ToxiproxyApiError';
}

/**
 * One API call; a connection error (a reused keep-alive connection the server closed) is retried,
 * and `okAfterRetry` lists statuses that mean a retried call had already succeeded.
 */
async function call(
  apiUrl: string,
  method: string,
  pathname: string,
  body?: unknown,
  okAfterRetry: number[] = [],
): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${pathname}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    const text = await response.text();
    if (attempt > 1 && okAfterRetry.includes(response.status)) return undefined;
    if (!response.ok) throw new ToxiproxyApiError(`${method} ${pathname} -> ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

export interface Proxy {
  name: string;
  /** `127.0.0.1:<port>`: point the service here instead of at the upstream. */
  listen: string;
  port: number;
  /** Enabled accepts connections; disabling closes the open ones and refuses new ones (the dependency is "down"). */
  setEnabled(enabled: boolean): Promise<void>;
  /** Adds a toxic and returns its name (for `removeToxic`). */
  addToxic(toxic: Toxic, options?: ToxicOptions): Promise<string>;
  removeToxic(name: string): Promise<void>;
  /** Removes every toxic and enables the proxy. */
  reset(): Promise<void>;
  delete(): Promise<void>;
}

function apiUrl(): string {
  const url = process.env.TEST_TOXIPROXY_URL;
  if (!url) throw new Error('TEST_TOXIPROXY_URL is not set: run the tests through jest global setup.');
  return url;
}

let toxics = 0;

/** Creates a proxy on a free port in front of `upstream` (`host:port`). */
export async function createProxy(name: string, upstream: string): Promise<Proxy> {
  const api = apiUrl();
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  await call(api, 'POST', '/proxies', { name, listen, upstream, enabled: true }, [409]);
  const path = `/proxies/${encodeURIComponent(name)}`;
  return {
    name,
    listen,
    port,
    async setEnabled(enabled) {
      await call(api, 'POST', path, { enabled });
    },
    async addToxic(toxic, options = {}) {
      const toxicName = options.name ?? `${toxic.type}_${++toxics}`;
      const body = {
        name: toxicName,
        type: toxic.type,
        stream: options.stream ?? 'downstream',
        toxicity: options.toxicity ?? 1,
        attributes: toxic.attributes,
      };
      await call(api, 'POST', `${path}/toxics`, body, [409]);
      return toxicName;
    },
    async removeToxic(toxicName) {
      await call(api, 'DELETE', `${path}/toxics/${encodeURIComponent(toxicName)}`, undefined, [404]);
    },
    async reset() {
      const list = (await call(api, 'GET', `${path}/toxics`)) as Array<{ name: string }>;
      for (const toxic of list) await call(api, 'DELETE', `${path}/toxics/${encodeURIComponent(toxic.name)}`);
      await call(api, 'POST', path, { enabled: true });
    },
    async delete() {
      await call(api, 'DELETE', path, undefined, [404]);
    },
  };
}
