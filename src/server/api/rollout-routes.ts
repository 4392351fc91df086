/**
 * /api/v1/rollouts: what `mlcycle rollout` does. List and read the rollouts (plan, state, current step,
 * history of transitions with their gate evidence); check a plan (`POST /rollout-plans/check`); start one
 * (`POST /rollouts` with `name` and `plan`, YAML text or JSON); one controller step (`POST
 * /rollouts/NAME/tick`, or `/rollouts/tick` for every running one); and the hand moves advance, pause,
 * resume and rollback, for the UI's buttons.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../../error.js';
import { loadSpec, requireValidSpec } from '../../problem/load-spec.js';
import { readRolloutPlan } from '../../rollout/rollout-plan.js';
import { moveRollout, startRollout, tickRollout, type TickResult } from '../../rollout/rollout.js';
import { openDuckDb } from '../../store/duckdb/engine.js';
import { requiredString } from '../mlflow/request-fields.js';
import { actorOf, type ServerContext } from '../server-context.js';
import { bodyOf } from './api-json.js';

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
  const spec = async () => requireValidSpec(await loadSpec(workspace.specFile));
  app.post('/rollout-plans/check', async (request) => {
    const plan = readRolloutPlan(bodyOf(request).plan, await spec());
    return { plan };
  });
  app.post(PREFIX, async (request, reply) => {
    const body = bodyOf(request);
    const name = requiredString(body, 'name');
    const current = await spec();
    const plan = readRolloutPlan(body.plan, current);
    const engine = plan.rechooseThreshold === undefined ? undefined : await openDuckDb();
    try {
      return reply.status(201).send({ rollout: await startRollout(workspace, current, name, plan, actorOf(server, request)(), engine) });
    } finally {
      await engine?.close();
    }
  });
  const tick = async (names: string[], context: ReturnType<ReturnType<typeof actorOf>>): Promise<TickResult[]> => {
    const current = await spec();
    const engine = await openDuckDb();
    try {
      const results: TickResult[] = [];
      for (const name of names) results.push(await tickRollout(workspace, engine, current, name, context));
      return results;
    } finally {
      await engine.close();
    }
  };
  app.post(`${PREFIX}/tick`, async (request) => {
    const running = (await workspace.rollouts.list()).filter((record) => record.state === 'running' || record.state === 'rolled-back').map((record) => record.name);
    return { results: await tick(running, actorOf(server, request)()) };
  });
  app.post<{ Params: { name: string } }>(`${PREFIX}/:name/tick`, async (request) => {
    const [result] = await tick([request.params.name], actorOf(server, request)());
    return { result };
  });
  app.post<{ Params: { name: string; verb: string } }>(`${PREFIX}/:name/:verb`, async (request) => {
    const { name, verb } = request.params;
    if (!(VERBS as readonly string[]).includes(verb)) throw new MlcycleError('not_found', `no rollout action "${verb}": one of ${VERBS.join(', ')}`);
    return { rollout: await moveRollout(workspace, await spec(), name, verb as (typeof VERBS)[number], actorOf(server, request)()) };
  });
}
