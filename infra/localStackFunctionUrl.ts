/** The LocalStack-compatible emulators `npm run deploy:local` tells apart. */
export type LocalEmulator = 'localstack' | 'ministack';

// Both emulators, like AWS, route `<url-id>.lambda-url.<region>.<any domain>` hosts to the function.
const FUNCTION_URL_HOST = /^([a-z0-9-]+)\.lambda-url\.([a-z0-9-]+)\./;

/**
 * Maps a Function URL as the emulator reported it (AWS's
 * `https://<url-id>.lambda-url.<region>.on.aws/`, or its own host form) onto a URL that `curl` and
 * Node's `fetch` reach on the machine that deployed. No form works on both emulators without DNS,
 * so each gets its own:
 *
 * - MiniStack also serves every Function URL at `<endpoint>/_aws/lambda-url/<url-id>/`, on the
 *   endpoint itself, whatever its host and port: no DNS at all.
 * - LocalStack serves only the host form (`localstack/services/lambda_/urlrouter.py` routes on
 *   the `Host` header; its Lambda docs give
 *   `http://<url-id>.lambda-url.<region>.localhost.localstack.cloud:4566`), with the protocol and
 *   port of its endpoint. `*.localhost.localstack.cloud` resolves to 127.0.0.1 through public DNS;
 *   `*.localhost` would need none, but Node's `fetch` does not resolve it everywhere.
 *
 * Any other URL is returned as it is.
 */
export const localStackFunctionUrl = (
  url: string,
  endpoint: string,
  emulator: LocalEmulator,
): string => {
  const match = FUNCTION_URL_HOST.exec(new URL(url).hostname);
  if (!match) return url;
  const [, urlId, region] = match;
  const { protocol, port, origin } = new URL(endpoint);
  if (emulator === 'ministack') return `${origin}/_aws/lambda-url/${urlId}/`;
  const edgePort = port || (protocol === 'https:' ? '443' : '80');
  return `${protocol}//${urlId}.lambda-url.${region}.localhost.localstack.cloud:${edgePort}/`;
};
