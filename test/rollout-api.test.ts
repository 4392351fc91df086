/**
 * /api/v1/rollouts: what `mlcycle rollout` does, over HTTP. Plans come as YAML text (problems carry the
 * line) or as JSON (problems carry `plan.` paths); bad plans are answered 400 in the API's error shape and
 * store nothing; a started rollout ticks and rolls back.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeModel } from '../src/models/model-format.js';
import { registerModel, setModelAlias } from '../src/tracking/registry/register-model.js';
import { startRun } from '../src/tracking/start-run.js';
import { apiServer } from './support/api-server.js';
import { flightModel } from './support/served-workspace.js';

const SPEC = `name: t
customerProblem: c
businessProblem: b
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
segments:
  - { name: origin, column: origin, description: departure airport }
successMetrics:
  - { id: rebooked, description: r, kind: proportion, source: { event: rebooked }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
`;

const PLAN = `endpoint: delays
candidate: delays@challenger
baseline: delays@champion
steps:
  - { name: canary, share: 0.1, segments: { origin: [BOS] }, minUnits: 100 }
  - { name: all, share: 1 }
`;

describe('/api/v1/rollouts', () => {
  it('checks plans, refuses bad ones with their line or path and stores nothing, starts, ticks and rolls back', async () => {
    const { call, root, workspace, context } = await apiServer('/api/v1');
    writeFileSync(path.join(root, 'mlcycle.yaml'), SPEC);
    for (const [index, rounds] of [10, 20].entries()) {
      const file = path.join(root, `model-${index}.json`);
      writeFileSync(file, serializeModel(flightModel(rounds)));
      const run = await startRun({ experiment: 'delays', name: `gbdt-${index}`, workspace, context, gitCommit: false, command: false });
      await run.logArtifact(file, 'model');
      await run.end();
      await registerModel(workspace, { name: 'delays', run: run.id, path: `model/model-${index}.json` }, context);
    }
    await setModelAlias(workspace, 'delays', 'champion', 1, context);
    await setModelAlias(workspace, 'delays', 'challenger', 2, context);

    const checked = await call('POST', '/rollout-plans/check', { plan: PLAN });
    expect(checked.status).toBe(200);
    expect(checked.body.plan.steps.map((step: { name: string }) => step.name)).toEqual(['canary', 'all']);
    const badLine = await call('POST', '/rollout-plans/check', { plan: PLAN.replace('share: 0.1', 'share: 1.5') });
    expect(badLine.status).toBe(400);
    expect(badLine.body.error).toMatchObject({ code: 'invalid_input', field: 'steps[0].share' });
    expect(badLine.body.error.issues[0].line).toBe(5);
    const badSegment = await call('POST', '/rollouts', { name: 'r', plan: { endpoint: 'delays', candidate: 'delays@challenger', baseline: 'delays@champion', steps: [{ name: 'x', share: 0.5, segments: { region: ['East'] } }] } });
    expect(badSegment.status).toBe(400);
    expect(badSegment.body.error.issues[0]).toMatchObject({ path: 'plan.steps[0].segments.region', message: expect.stringMatching(/not a segment of mlcycle.yaml/) });
    expect((await call('POST', '/rollouts', { name: 'r' })).body.error).toMatchObject({ code: 'invalid_input', field: 'plan' });
    expect((await call('POST', '/rollouts', { name: 'r', plan: PLAN.replace('delays@challenger', 'ghost@challenger') })).status).toBe(400);
    expect((await call('GET', '/rollouts')).body.rollouts).toEqual([]);
    expect(await workspace.experiments.list()).toEqual([]);

    const started = await call('POST', '/rollouts', { name: 'r', plan: PLAN });
    expect(started.status).toBe(201);
    expect(started.body.rollout).toMatchObject({ name: 'r', state: 'running', step: 0 });
    expect((await call('POST', '/rollouts', { name: 'r', plan: PLAN })).status).toBe(409);
    const tick = await call('POST', '/rollouts/r/tick');
    expect(tick.status).toBe(200);
    expect(tick.body.result).toMatchObject({ rollout: 'r', action: 'waiting', step: 0 });
    expect(tick.body.result.gates.map((gate: { gate: string }) => gate.gate)).toEqual(['traffic', 'duration', 'sample', 'error rate']);
    expect((await call('POST', '/rollouts/ghost/tick')).status).toBe(404);
    expect((await call('POST', '/rollouts/r/rollback')).body.rollout.state).toBe('rolled-back');
    const all = await call('POST', '/rollouts/tick');
    expect(all.body.results).toEqual([{ rollout: 'r', action: 'idle', step: 0, gates: [], reason: 'the rollout is rolled-back' }]);
  });
});
