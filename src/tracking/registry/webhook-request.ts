/**
 * One webhook POST whose connection goes to an address that was checked. The host is resolved once, inside
 * the connection's own `lookup`, and every address it resolves to is checked there (webhook-targets.ts);
 * the socket then connects to the checked address. A separate check before `fetch` would leave a window in
 * which DNS could answer differently for the connection (DNS rebinding: a public address for the check,
 * 127.0.0.1 or 169.254.169.254 for the request).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { MlcycleError } from '../../error.js';
import { checkWebhookTarget, type ResolveHost } from './webhook-targets.js';

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  resolve: ResolveHost;
}

/** Posts the body and answers the response's status; refused targets, network errors and timeouts reject. */
export function postWebhook(url: URL, options: WebhookRequest): Promise<number> {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const host = hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) !== 0 ? Promise.resolve([host]) : options.resolve(host);
    addresses
      .then(async (found) => {
        if (found.length === 0) throw new MlcycleError('invalid_input', `url: the host ${host} does not resolve`);
        // The check takes the addresses already resolved, so it cannot see a different answer from the connection's.
        await checkWebhookTarget(new URL(`http://${isIP(host) === 6 ? `[${host}]` : host}/`), { allowPrivate: options.allowPrivate, unresolvable: 'refuse', resolve: async () => found });
        const entries = found.map((address) => ({ address, family: isIP(address) }));
        if (lookupOptions.all === true) callback(null, entries);
        else callback(null, entries[0]?.address ?? '', entries[0]?.family ?? 4);
      })
      .catch((error: Error) => callback(error as NodeJS.ErrnoException, '', 4));
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const request = send(url, { method: 'POST', headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) }, lookup, timeout: options.timeoutMs }, (response: IncomingMessage) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs} ms`), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end(options.body);
  });
}
