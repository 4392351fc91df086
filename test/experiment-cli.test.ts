/**
 * Online experiments as a user runs them: a definition file, `mlcycle experiment create|start|update|stop`,
 * a real `mlcycle serve` that routes units to arms and logs exposures, `mlcycle simulate` replaying a
 * dataset through it with simulated passengers, and `mlcycle experiment analyze` reading the event log.
 * Bad input (unknown models, weights, targeting, overlapping namespaces, nothing to analyse) exits 2 and
 * stores nothing.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileExperiment } from '../src/serve/served-experiments.js';
import { checkExperimentDefinition } from '../src/experiment/online-definition.js';
import { expectUserError } from './support/user-error.js';
import { runMlcycle, runMlcycleAsync } from './support/run-cli.js';
import { flightRows, servedWorkspace, startServeProcess } from './support/served-workspace.js';

const SPEC = `name: experiment-test
customerProblem: late passengers miss connections
businessProblem: desk rebookings cost money
task: binary
target: { column: delayed, positive: 1 }
randomizationUnit: passenger_id
segments:
  - { name: origin, column: origin, description: departure airport }
successMetrics:
  - id: rebooked
    description: rebooked before the gate
    kind: proportion
    source: { event: rebooked_before_gate }
    direction: increase
    minimumDetectableEffect: { relative: 0.05 }
    role: primary
  - id: muted
    description: muted alerts
    kind: proportion
    source: { event: alerts_muted }
    direction: decrease
    minimumDetectableEffect: { absolute: 0.01 }
    role: guardrail
    nonInferiorityMargin: 0.5
`;

const DEFINITION = `endpoint: delays
arms:
  - { id: control, model: delays@champion, weight: 0.5 }
  - { id: treatment, model: delays@challenger, weight: 0.5 }
attributionHours: 24
segment: origin
`;

const RESPONSES = `label: delayed
segment: origin
unit: passenger_id
seed: 7
events:
  - name: rebooked_before_gate
    probability: if(label == 1, 0.15 + 0.6 * score, 0.02)
  - name: alerts_muted
    probability: 0.01
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
  const { rows, labels } = flightRows(3000, 11);
  const lines = ['passenger_id,distance,hour,origin,delayed', ...rows.map((row, index) => `p${index},${row.distance},${row.hour},${row.origin},${labels[index]}`)];
  write('live.csv', `${lines.join('\n')}\n`);
  const added = cli(['data', 'add', 'live.csv', '--name', 'live']);
  expect(added.code, added.stderr).toBe(0);
}, 120_000);

afterAll(() => remove());

describe('bad experiment definitions are refused and nothing is stored', () => {
  it('names the problem and where it is', () => {
    write('unknown-model.yaml', DEFINITION.replace('delays@challenger', 'delays@nowhere'));
    expectUserError(cli(['experiment', 'create', 'e1', '--file', 'unknown-model.yaml']), /arms\[1\]\.model: model "delays" has no alias @nowhere/);
    write('ghost.yaml', DEFINITION.replace('delays@champion', 'ghost@champion'));
    expectUserError(cli(['experiment', 'create', 'e1', '--file', 'ghost.yaml']), /no registered model "ghost"/);
    write('weights.yaml', DEFINITION.replace('weight: 0.5 }\n  - { id: treatment', 'weight: 0.4 }\n  - { id: treatment'));
    expectUserError(cli(['experiment', 'create', 'e1', '--file', 'weights.yaml']), /weights\.yaml.*line 3: arms: the arms' weights sum to 0\.9/s);
    write('targeting.yaml', `${DEFINITION}targeting: origin == and hour > 3\n`);
    const targeting = cli(['experiment', 'create', 'e1', '--file', 'targeting.yaml']);
    expectUserError(targeting, /targeting.*column \d+/s);
    expect(targeting.stderr).toMatch(/line 7/);
    write('no-arms.yaml', 'endpoint: delays\narms: []\n');
    expectUserError(cli(['experiment', 'create', 'e1', '--file', 'no-arms.yaml']), /arms/);
    expectUserError(cli(['experiment', 'create', 'bad name', '--file', 'ghost.yaml']), /ghost|name/);
    const list = cli(['experiment', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).experiments).toEqual([]);
  });

  it('refuses overlapping namespace ranges and analysis without exposures', () => {
    write('left.yaml', `${DEFINITION}namespace: { id: alerts, start: 0, end: 0.6 }\n`);
    write('right.yaml', `${DEFINITION}namespace: { id: alerts, start: 0.5, end: 1 }\n`);
    write('far-right.yaml', `${DEFINITION}namespace: { id: alerts, start: 0.6, end: 1 }\n`);
    expect(cli(['experiment', 'create', 'left', '--file', 'left.yaml']).code).toBe(0);
    expectUserError(cli(['experiment', 'create', 'right', '--file', 'right.yaml']), /overlaps experiment "left"/);
    expect(cli(['experiment', 'create', 'far-right', '--file', 'far-right.yaml']).code).toBe(0);
    expectUserError(cli(['experiment', 'analyze', 'left']), /has not started/);
    expect(cli(['experiment', 'start', 'left']).code).toBe(0);
    expectUserError(cli(['experiment', 'analyze', 'left']), /no exposures in phase 1/);
    expect(cli(['experiment', 'stop', 'left']).code).toBe(0);
    const analyses = JSON.parse(cli(['experiment', 'list', '--json']).stdout) as { experiments: { name: string; state: string }[] };
    expect(analyses.experiments.map((entry) => `${entry.name}:${entry.state}`).sort()).toEqual(['far-right:draft', 'left:stopped']);
    expectUserError(cli(['experiment', 'stop', 'left']), /not running/);
    expectUserError(cli(['experiment', 'start', 'nothing']), /no experiment "nothing"/);
  });

  it('refuses a response model with a broken expression, with its line', () => {
    write('responses-ok.yaml', RESPONSES);
    write('broken.yaml', RESPONSES.replace('probability: 0.01', 'probability: 0.01 +'));
    expectUserError(cli(['simulate', '--url', 'http://127.0.0.1:9', '--endpoint', 'delays', '--data', 'live', '--responses', 'broken.yaml']), /broken\.yaml.*line 9: events\[1\]\.probability: column 7: expected a value after "\+"/s);
    expectUserError(cli(['simulate', '--url', 'http://127.0.0.1:9', '--endpoint', 'delays', '--data', 'live', '--responses', 'responses-ok.yaml']), /cannot reach the prediction service at http:\/\/127\.0\.0\.1:9/);
    expectUserError(cli(['simulate', '--url', 'ftp://x', '--endpoint', 'delays', '--data', 'live', '--responses', 'broken.yaml']), /--url/);
  });
});

describe('an A/B test through the real service', () => {
  it('routes units by the hash, logs exposures, replays simulated passengers and analyses the log', async () => {
    write('ab.yaml', DEFINITION);
    expect(cli(['experiment', 'create', 'ab', '--file', 'ab.yaml']).code).toBe(0);
    expect(cli(['experiment', 'start', 'ab']).code).toBe(0);
    write('responses.yaml', RESPONSES);

    let service = await startServeProcess(root);
    try {
      const answer = async (unit: string) => {
        const response = await fetch(`${service.url}/api/v1/predict/delays`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ unit, row: { distance: 900, hour: 18, origin: 'ORD' } }) });
        expect(response.status).toBe(200);
        return (await response.json()) as { arm: string; experiment: string; version: number; score: number };
      };
      // The arm is the hash's, and the arm's model answers.
      const definition = checkExperimentDefinition(JSON.parse(cli(['experiment', 'list', '--json']).stdout).experiments.find((entry: { name: string }) => entry.name === 'ab').definition);
      const running = compileExperiment('ab', 1, definition);
      for (const unit of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
        const got = await answer(unit);
        expect(got.experiment).toBe('ab');
        expect(got.arm).toBe(running.assign(unit, {})?.arm);
        expect(got.version).toBe(got.arm === 'control' ? 1 : 2);
        expect((await answer(unit)).arm).toBe(got.arm);
      }
      // A global holdout: the same units are held out of every experiment that shares its seed.
      const { compileAssignment } = await import('../src/experiment/assignment.js');
      const holdout = compileAssignment({ key: 'h', arms: [{ id: 'in', weight: 1 }], coverage: 1, holdout: { seed: 'mlcycle-holdout', share: 0.3 } });
      const other = compileAssignment({ key: 'other', arms: [{ id: 'a', weight: 0.5 }, { id: 'b', weight: 0.5 }], coverage: 1, holdout: { seed: 'mlcycle-holdout', share: 0.3 } });
      let heldOut = 0;
      for (let index = 0; index < 2000; index++) {
        const unit = `h${index}`;
        expect(holdout(unit) === undefined).toBe(other(unit) === undefined);
        if (holdout(unit) === undefined) heldOut += 1;
      }
      expect(Math.abs(heldOut / 2000 - 0.3)).toBeLessThan(0.04);
      const before = await answer('sticky-unit');
      await service.stop();
      service = await startServeProcess(root);
      expect((await answer('sticky-unit')).arm).toBe(before.arm);

      const simulated = await runMlcycleAsync(['simulate', '--url', service.url, '--endpoint', 'delays', '--data', 'live', '--responses', 'responses.yaml', '--concurrency', '8', '--json'], { cwd: root, timeoutMs: 120_000 });
      expect(simulated.code, simulated.stderr).toBe(0);
      const replay = JSON.parse(simulated.stdout) as { requests: number; arms: Record<string, number>; events: Record<string, number>; eventsSent: number };
      expect(replay.requests).toBe(3000);
      expect((replay.arms.control ?? 0) + (replay.arms.treatment ?? 0)).toBe(3000);
      expect(Math.abs((replay.arms.control ?? 0) - 1500)).toBeLessThan(150);
      expect(replay.eventsSent).toBe(Object.values(replay.events).reduce((sum, count) => sum + count, 0));
      expect(replay.events.rebooked_before_gate).toBeGreaterThan(100);
    } finally {
      await service.stop();
    }

    const analyzed = cli(['experiment', 'analyze', 'ab', '--json']);
    expect(analyzed.code, analyzed.stderr).toBe(0);
    const result = JSON.parse(analyzed.stdout) as { exposedUnits: number; analysis: { sampleRatio: { mismatch: boolean }; metrics: { id: string; segments: unknown[] }[]; decisions: { arm: string; decision: string }[] }; stored: number };
    // 3,000 passengers plus the 7 probe units above.
    expect(result.exposedUnits).toBe(3007);
    expect(result.analysis.sampleRatio.mismatch).toBe(false);
    expect(result.analysis.metrics.map((metric) => metric.id)).toEqual(['rebooked', 'muted']);
    expect(result.analysis.metrics[0]?.segments.length).toBe(5);
    expect(result.analysis.decisions[0]?.arm).toBe('treatment');
    expect(result.stored).toBeGreaterThan(0);
    const text = cli(['experiment', 'status', 'ab']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/experiment ab: running, phase 1/);
    expect(text.stdout).toMatch(/treatment: (SHIP|DON'T SHIP|KEEP RUNNING|INVESTIGATE)/);
    const audit = cli(['status', '--json']);
    expect(audit.code).toBe(0);
  }, 240_000);

  it('starts a new phase when the split changes, not when coverage rises', () => {
    write('ab-coverage.yaml', `${DEFINITION}coverage: 1\n`);
    const same = JSON.parse(cli(['experiment', 'update', 'ab', '--file', 'ab-coverage.yaml', '--json']).stdout) as { phase: number };
    expect(same.phase).toBe(1);
    write('ab-weights.yaml', DEFINITION.replace('weight: 0.5 }\n  - { id: treatment, model: delays@challenger, weight: 0.5', 'weight: 0.8 }\n  - { id: treatment, model: delays@challenger, weight: 0.2'));
    const changed = JSON.parse(cli(['experiment', 'update', 'ab', '--file', 'ab-weights.yaml', '--json']).stdout) as { phase: number; phases: { phase: number; endedAt?: string }[] };
    expect(changed.phase).toBe(2);
    expect(changed.phases[0]?.endedAt).toBeDefined();
    expectUserError(cli(['experiment', 'analyze', 'ab']), /no exposures in phase 2/);
    const first = cli(['experiment', 'analyze', 'ab', '--phase', '1', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).exposedUnits).toBe(3007);
  });
});
