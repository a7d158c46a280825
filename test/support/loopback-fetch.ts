/**
 * A `fetch` for tests that reaches made-up host names on loopback: each name maps to a port on
 * 127.0.0.1, the test CA is trusted, and any other name fails as an unknown host would. Built on
 * `https.request` (Node 20's fetch takes no custom CA or resolver without undici's own Agent).
 */
import https from 'node:https';
import { Readable } from 'node:stream';

/** Host name → loopback port, and the CA (PEM) to trust. */
export interface LoopbackFetchOptions {
  hosts: Record<string, number>;
  ca: string;
}

/** A fetch that only ever connects to 127.0.0.1; also records every URL asked for. */
export function createLoopbackFetch(options: LoopbackFetchOptions): typeof fetch & {
  requested: string[];
} {
  const requested: string[] = [];
  const loopbackFetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    requested.push(url.href);
    const port = options.hosts[url.hostname];
    if (url.protocol !== 'https:' || port === undefined) {
      return Promise.reject(new TypeError('fetch failed', { cause: new Error('ENOTFOUND') }));
    }
    return new Promise<Response>((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port,
          path: `${url.pathname}${url.search}`,
          servername: url.hostname,
          headers: { host: url.hostname },
          ca: options.ca,
          signal: init?.signal ?? undefined,
        },
        (response) => {
          const status = response.statusCode ?? 500;
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (typeof value === 'string') headers.set(name, value);
          }
          const empty = status === 204 || status === 304;
          const body = empty ? null : (Readable.toWeb(response) as ReadableStream<Uint8Array>);
          resolve(new Response(body, { status, headers }));
        },
      );
      request.once('error', reject);
      request.end();
    });
  };
  return Object.assign(loopbackFetch as typeof fetch, { requested });
}
