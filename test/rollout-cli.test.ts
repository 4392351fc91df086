/**
 * `mlcycle rollout` as a user runs it: a plan checked against the spec with `file:line: path` errors, start,
 * status, tick, pause, resume and rollback, and bad input that exits 2 and stores nothing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUserError } from './support/user-error.js';
import { runMlcycle } from './support/run-cli.js';
import { servedWorkspace } from './support/served-workspace.js';

const SPEC = `name: rollout-cli
customerProblem: late passengers
businessProblem: rebookings cost money
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
segments:
  - { name: origin, column: origin, description: departure airport }
successMetrics:
  - { id: rebooked, description: r, kind: proportion, source: { event: rebooked_before_gate }, direction: increase, minimumDetectableEffect: { relative: 0.05 }, role: primary }
`;

const PLAN = `endpoint: delays
candidate: delays@challenger
baseline: delays@champion
steps:
  - { name: east, share: 0.5, segments: { origin: [ATL, BOS] } }
  - { name: all, share: 1 }
`;

let root = '';
let remove = () => undefined as void;
const cli = (args: string[]) => runMlcycle(args, { cwd: root });
const write = (name: string, text: string) => writeFileSync(path.join(root, name), text);


beforeAll(async () => {
  const served = await servedWorkspace();
  root = served.root;
  remove = served.remove;
  write('mlcycle.yaml', SPEC);
}, 60_000);
afterAll(() => remove());

describe('mlcycle rollout', { timeout: 180_000 }, () => {
  it('refuses bad plans with their line, and stores nothing', () => {
    write('segment.yaml', PLAN.replace('origin: [ATL, BOS]', 'region: [East]'));
    expectUserError(cli(['rollout', 'plan', 'segment.yaml']), /segment\.yaml.*line 5: steps\[0\]\.segments\.region: "region" is not a segment of mlcycle\.yaml/s);
    write('shrink.yaml', `${PLAN}  - { name: less, share: 0.5 }\n`);
    expectUserError(cli(['rollout', 'start', 'r1', '--file', 'shrink.yaml']), /shrink\.yaml.*steps\[2\]\.share: 0\.5 is below the previous step's 1/s);
    write('model.yaml', PLAN.replace('delays@challenger', 'delays@nowhere'));
    expectUserError(cli(['rollout', 'start', 'r1', '--file', 'model.yaml']), /has no alias @nowhere/);
    write('share.yaml', PLAN.replace('share: 0.5', 'share: 1.5'));
    expectUserError(cli(['rollout', 'plan', 'share.yaml']), /share\.yaml.*line 5/s);
    write('gates.yaml', `${PLAN}gates: { falseAlarmRate: lots }\n`);
    expectUserError(cli(['rollout', 'plan', 'gates.yaml']), /gates\.yaml.*gates\.falseAlarmRate: expected spec, off or a rate between 0 and 1/s);
    write('rechoose.yaml', `${PLAN}rechooseThreshold: { windowDays: 0 }\n`);
    expectUserError(cli(['rollout', 'start', 'r1', '--file', 'rechoose.yaml']), /rechoose\.yaml.*rechooseThreshold\.windowDays/s);
    expectUserError(cli(['rollout', 'status', 'r1']), /no rollout "r1"/);
    expect(JSON.parse(cli(['rollout', 'status', '--json']).stdout).rollouts).toEqual([]);
    expect(JSON.parse(cli(['experiment', 'list', '--json']).stdout).experiments).toEqual([]);
  });

  it('starts, ticks, pauses, resumes and rolls back', () => {
    write('plan.yaml', PLAN);
    const checked = cli(['rollout', 'plan', 'plan.yaml']);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/1\. east: 50% of \{"origin":\["ATL","BOS"\]\}/);
    const started = cli(['rollout', 'start', 'r1', '--file', 'plan.yaml']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/\[>\] 1\. east: 50% of origin in ATL, BOS/);
    expect(JSON.parse(cli(['experiment', 'list', '--json']).stdout).experiments[0]).toMatchObject({ name: 'rollout-r1', state: 'running' });
    const tick = cli(['rollout', 'tick']);
    expect(tick.code, tick.stderr).toBe(0);
    expect(tick.stdout).toMatch(/rollout r1: waiting \(step 1\)/);
    expect(cli(['rollout', 'pause', 'r1']).code).toBe(0);
    expect(cli(['rollout', 'tick', 'r1']).stdout).toMatch(/idle/);
    expectUserError(cli(['rollout', 'pause', 'r1']), /paused already/);
    expect(cli(['rollout', 'resume', 'r1']).code).toBe(0);
    const rolled = cli(['rollout', 'rollback', 'r1', '--reason', 'the desk saw longer queues']);
    expect(rolled.code, rolled.stderr).toBe(0);
    expect(rolled.stdout).toMatch(/rolled-back .*the desk saw longer queues/);
    expect(JSON.parse(cli(['experiment', 'list', '--json']).stdout).experiments[0]).toMatchObject({ name: 'rollout-r1', state: 'stopped' });
    expectUserError(cli(['rollout', 'advance', 'r1']), /rolled-back: nothing to advance/);
    const board = JSON.parse(cli(['status', '--json']).stdout) as { stages: { id: string; state: string; nextStep: string }[] };
    expect(board.stages.find((stage) => stage.id === 'rollout')).toMatchObject({ state: 'done', nextStep: expect.stringMatching(/back to development/) });
  });
});
