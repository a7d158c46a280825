/**
 * A token endpoint's answer without its `id_token`. Tidings asks for IMAP access, not for an
 * identity: it never reads an ID token, but oauth4webapi validates any it is given, against
 * an issuer Tidings cannot know for every provider (a Keycloak realm, Google or Microsoft
 * with `openid` in the scope). Such a check failing would throw away the answer, and with it
 * a rotated refresh token, so the ID token is dropped before the answer is processed.
 */

/** `response` as it was, less an `id_token` member of its JSON body. */
export async function withoutIdToken(response: Response): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return new Response(text, { status: response.status, headers: response.headers });
  }
  if (body && typeof body === 'object' && 'id_token' in body) {
    delete (body as Record<string, unknown>).id_token;
  }
  return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
}
