/**
 * The token check as an `onRequest` hook, added by each API plugin so that each refuses in its own error
 * shape: 401 without a valid token, 403 for a read-only token on a writing request.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, isReadRequest, type AccessToken } from './auth.js';
import { ACCESS, PRINCIPAL } from './server-context.js';

/** An API's error body for a refused request (its own shape). */
export type RefusalBody = (code: 'unauthenticated' | 'permission_denied', message: string) => unknown;

/** Adds the token check to a plugin's context (its routes and its not-found handler); none when no token is configured. */
export function addAuthentication(app: FastifyInstance, tokens: readonly AccessToken[], refusal: RefusalBody): void {
  if (tokens.length === 0) return;
  app.addHook('onRequest', async (request, reply) => {
    const holder = authenticate(request.headers.authorization, tokens);
    if (holder === undefined) {
      const message = 'a valid token is required: Authorization: Bearer TOKEN (MLFLOW_TRACKING_TOKEN)';
      return reply.status(401).header('www-authenticate', 'Bearer').send(refusal('unauthenticated', message));
    }
    if (holder.access === 'read' && !isReadRequest(request.method, request.url)) {
      return reply.status(403).send(refusal('permission_denied', `token ${holder.name} may only read`));
    }
    const marked = request as typeof request & { [PRINCIPAL]?: string; [ACCESS]?: 'read' | 'write' };
    marked[PRINCIPAL] = holder.name;
    marked[ACCESS] = holder.access;
    return undefined;
  });
}

/** A Fastify error's status when it is a client error of the framework's own (a malformed JSON body, a body over the limit). */
export function frameworkClientStatus(thrown: unknown): number | undefined {
  const status = (thrown as { statusCode?: number }).statusCode;
  return status !== undefined && status < 500 && !(thrown instanceof Error && thrown.name === 'MlcycleError') ? status : undefined;
}
