/** What every route handler works with: the open workspace and a change context per request. */
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';

export interface ServerContext {
  workspace: Workspace;
  /** The change context of one request; `user` is who the client says acts (MLflow's user_id), when given. */
  context(user?: string): ChangeContext;
}
