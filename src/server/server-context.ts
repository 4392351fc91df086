/** What every route handler works with: the open workspace and a change context per request. */
import type { FastifyRequest } from 'fastify';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';

/** The change context of one request; `user` is who the client says acts (MLflow's user_id), when given. */
export type ActAs = (user?: string) => ChangeContext;

export interface ServerContext {
  workspace: Workspace;
  context: ActAs;
  /** Webhooks may target private, loopback and link-local addresses (`--allow-private-webhooks`). */
  allowPrivateWebhooks?: boolean;
}

/** The name an authenticated request carries (set by the auth hook). */
export const PRINCIPAL = Symbol('mlcycle.principal');

/** What an authenticated request's token may do, `read` or `write` (set by the auth hook). */
export const ACCESS = Symbol('mlcycle.access');

/** Who a request acts as and what it may do: without tokens configured, anyone may write. */
export function sessionOf(request: FastifyRequest): { user: string | null; access: 'read' | 'write' } {
  const marked = request as FastifyRequest & { [PRINCIPAL]?: string; [ACCESS]?: 'read' | 'write' };
  return { user: marked[PRINCIPAL] ?? null, access: marked[ACCESS] ?? 'write' };
}

/** The acting context for a request: an authenticated token's name wins over a user the client names. */
export function actorOf(server: ServerContext, request: FastifyRequest): ActAs {
  const principal = (request as FastifyRequest & { [PRINCIPAL]?: string })[PRINCIPAL];
  return (user) => server.context(principal ?? user);
}
