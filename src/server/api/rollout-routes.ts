/**
 * /api/v1/rollouts: the rollouts (plan, state, current step, history of transitions with their gate
 * evidence), and the hand moves `mlcycle rollout advance|pause|resume|rollback` makes, for the UI's buttons.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { loadSpec, requireValidSpec } from '../../problem/load-spec.js';
import { moveRollout } from '../../rollout/rollout.js';
import { actorOf, type ServerContext } from '../server-context.js';

const PREFIX = '/rollouts';
const VERBS = ['advance', 'pause', 'resume', 'rollback'] as const;

export function registerApiRolloutRoutes(app: FastifyInstance, server: ServerContext): void {
  const { workspace } = server;
  app.get(PREFIX, async () => ({ rollouts: await workspace.rollouts.list() }));
  app.get<{ Params: { name: string } }>(`${PREFIX}/:name`, async (request) => {
    const record = await workspace.rollouts.find(request.params.name);
    if (record === undefined) throw new MlcycleError('not_found', `no rollout "${request.params.name}"`);
    return { rollout: record };
  });
  app.post<{ Params: { name: string; verb: string } }>(`${PREFIX}/:name/:verb`, async (request) => {
    const { name, verb } = request.params;
    if (!(VERBS as readonly string[]).includes(verb)) throw new MlcycleError('not_found', `no rollout action "${verb}": one of ${VERBS.join(', ')}`);
    const spec = requireValidSpec(await loadSpec(workspace.specFile));
    return { rollout: await moveRollout(workspace, spec, name, verb as (typeof VERBS)[number], actorOf(server, request)()) };
  });
}
