/**
 * Stands in for the `whatwg-url` package in the Lambda bundles (an esbuild alias, see
 * `lambdaBundling.ts`). The MongoDB driver's connection-string parser (`mongodb-connection-string-url`)
 * imports `URL` from it, a WHATWG URL implementation kept for browsers; Node's own `URL` follows
 * the same standard, so the polyfill and its 290 KB (minified) of `tr46` tables need not ship.
 * Both classes the package exports are provided, though the parser uses only `URL`.
 */
export { URL, URLSearchParams } from 'node:url';
