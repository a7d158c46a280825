/**
 * Fetches a small text document over HTTPS only: redirects followed by hand so none can lead
 * to plain HTTP, and the body refused once it grows past a cap.
 */

/** How many redirects a document may take before it is given up. */
const MAX_REDIRECTS = 3;

/** The body of `url` as text, or undefined for anything but a 200 over HTTPS within `maxBytes`. */
export async function fetchSmallHttpsText(
  fetchFn: typeof fetch,
  url: string,
  options: { maxBytes: number; signal: AbortSignal },
): Promise<string | undefined> {
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (current.protocol !== 'https:') return undefined;
    const response = await fetchFn(current, { redirect: 'manual', signal: options.signal });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current);
      continue;
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      return undefined;
    }
    return readCapped(response.body, options.maxBytes);
  }
  return undefined;
}

async function readCapped(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<string | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
