/**
 * /api/v1/online-experiments: the same service as `mlcycle experiment`, with bad input answered 4xx in the
 * API's error shape and nothing stored.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiServer } from './support/api-server.js';

const DEFINITION = {
  endpoint: 'alerts',
  arms: [
    { id: 'control', default: { decision: 0 }, weight: 0.5 },
    { id: 'treatment', default: { decision: 1 }, weight: 0.5 },
  ],
};

describe('/api/v1/online-experiments', () => {
  it('creates, starts, updates, stops and refuses bad input without storing it', async () => {
    const { call, root, workspace } = await apiServer('/api/v1');
    writeFileSync(path.join(root, 'mlcycle.yaml'), 'name: t\ncustomerProblem: c\nbusinessProblem: b\ntask: binary\ntarget: { column: y, positive: 1 }\nrandomizationUnit: user\nsuccessMetrics:\n  - { id: m, description: d, kind: proportion, source: { event: e }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }\n');
    const weights = await call('POST', '/online-experiments', { name: 'ab', definition: { ...DEFINITION, arms: [{ ...DEFINITION.arms[0], weight: 0.7 }, DEFINITION.arms[1]] } });
    expect(weights.status).toBe(400);
    expect(weights.body.error.code).toBe('invalid_input');
    expect(weights.body.error.issues[0]).toMatchObject({ path: 'arms', message: expect.stringMatching(/sum to 1\.2/) });
    const targeting = await call('POST', '/online-experiments', { name: 'ab', definition: { ...DEFINITION, targeting: 'region in ["a", ' } });
    expect(targeting.status).toBe(400);
    expect(targeting.body.error.issues[0].message).toMatch(/column \d+/);
    const unknownModel = await call('POST', '/online-experiments', { name: 'ab', definition: { ...DEFINITION, arms: [{ id: 'control', model: 'ghost@champion', weight: 0.5 }, DEFINITION.arms[1]] } });
    expect(unknownModel.status).toBe(400);
    expect(unknownModel.body.error.issues[0]).toMatchObject({ path: 'arms[0].model' });
    expect((await call('GET', '/online-experiments')).body.experiments).toEqual([]);
    expect(await workspace.audit.list({ actionPrefix: 'experiment.' })).toEqual([]);

    const created = await call('POST', '/online-experiments', { name: 'ab', definition: DEFINITION });
    expect(created.status).toBe(201);
    expect(created.body.experiment).toMatchObject({ name: 'ab', state: 'draft', phase: 0 });
    expect((await call('POST', '/online-experiments', { name: 'ab', definition: DEFINITION })).status).toBe(409);
    expect((await call('POST', '/online-experiments/ab/start')).body.experiment).toMatchObject({ state: 'running', phase: 1 });
    const analyze = await call('POST', '/online-experiments/ab/analyze');
    expect(analyze.status).toBe(400);
    expect(analyze.body.error.message).toMatch(/no exposures in phase 1/);
    const updated = await call('PUT', '/online-experiments/ab', { definition: { ...DEFINITION, arms: [{ ...DEFINITION.arms[0], weight: 0.3 }, { ...DEFINITION.arms[1], weight: 0.7 }] } });
    expect(updated.body.experiment.phase).toBe(2);
    expect((await call('POST', '/online-experiments/ab/stop')).body.experiment.state).toBe('stopped');
    expect((await call('GET', '/online-experiments/ab')).body).toMatchObject({ experiment: { name: 'ab', state: 'stopped', phase: 2 }, latestAnalysis: null });
    expect((await call('GET', '/online-experiments/nothing')).status).toBe(404);
    const actions = (await workspace.audit.list({ actionPrefix: 'experiment.' })).map((entry) => entry.action).reverse();
    expect(actions).toEqual(['experiment.created', 'experiment.started', 'experiment.updated', 'experiment.stopped']);
  });
});
