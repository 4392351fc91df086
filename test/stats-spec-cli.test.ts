/** `mlcycle stats analyze` in a workspace whose mlcycle.yaml defines the success metrics and guardrails. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../src/demo/flight-delay-spec.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir } from './support/temp-dir.js';

/** Statistics for the spec's metrics, with no kind, role, direction, margin or minimum effect given. */
function experiment(change: (input: Record<string, any>) => void = () => undefined): string {
  const input: Record<string, any> = {
    name: 'gate-alerts',
    arms: [
      { id: 'control', weight: 1, units: 10000 },
      { id: 'alerts', weight: 1, units: 10040 },
    ],
    metrics: [
      { id: 'rebooked_before_gate', arms: { control: { n: 10000, successes: 1500 }, alerts: { n: 10040, successes: 1720 } } },
      {
        id: 'alert_engagement',
        arms: {
          control: { n: 10000, numeratorSum: 9000, numeratorSumSquares: 21000, denominatorSum: 30000, denominatorSumSquares: 110000, numeratorDenominatorSum: 36000 },
          alerts: { n: 10040, numeratorSum: 9500, numeratorSumSquares: 22500, denominatorSum: 30100, denominatorSumSquares: 110500, numeratorDenominatorSum: 37500 },
        },
      },
      { id: 'alerts_muted', arms: { control: { n: 10000, successes: 500 }, alerts: { n: 10040, successes: 505 } } },
      { id: 'desk_wait_p90', arms: { control: { n: 10000, estimate: 42, lower: 40.5, upper: 43.6 }, alerts: { n: 10040, estimate: 39, lower: 37.8, upper: 40.4 } } },
    ],
  };
  change(input);
  return JSON.stringify(input, null, 2);
}

function workspace(spec: string | null, content: string): string {
  const dir = tempDir();
  if (spec !== null) writeFileSync(path.join(dir, 'mlcycle.yaml'), spec);
  writeFileSync(path.join(dir, 'experiment.json'), content);
  return dir;
}

describe('mlcycle stats analyze with the workspace spec', () => {
  it("takes kinds, roles, directions, margins and minimum effects from mlcycle.yaml's successMetrics", () => {
    const dir = workspace(FLIGHT_DELAY_SPEC, experiment());
    const result = runMlcycle(['stats', 'analyze', 'experiment.json', '--json'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const analysis = JSON.parse(result.stdout);
    expect(analysis.metrics.map((m: any) => [m.id, m.kind, m.role, m.direction, m.minimumDetectableEffect])).toEqual([
      ['rebooked_before_gate', 'proportion', 'primary', 'increase', 0.05],
      ['alert_engagement', 'ratio', 'secondary', 'increase', 0.03],
      ['alerts_muted', 'proportion', 'guardrail', 'decrease', null],
      ['desk_wait_p90', 'quantile', 'secondary', 'decrease', 0.05],
    ]);
    const muted = analysis.metrics[2].comparisons[0];
    expect(muted.nonInferiority).toMatchObject({ margin: 0.02 });
    expect(analysis.metrics[3].comparisons[0]).toMatchObject({ method: 'quantile-z', significant: true });
    expect(analysis.fromSpec.file).toBe(path.join(dir, 'mlcycle.yaml'));
    expect(analysis.fromSpec.metrics[2]).toEqual({ id: 'alerts_muted', fields: ['kind', 'role', 'direction', 'nonInferiorityMargin'] });
    const text = runMlcycle(['stats', 'analyze', 'experiment.json'], { cwd: dir });
    expect(text.stdout).toMatch(/^from .*mlcycle\.yaml: rebooked_before_gate \(kind, role, direction, minimumDetectableEffect\); /);
    expect(text.stdout).toMatch(/Guardrail alerts_muted/);
  });

  it('lets the file override the spec, and --no-spec ignore it', () => {
    const dir = workspace(FLIGHT_DELAY_SPEC, experiment((input) => Object.assign(input.metrics[2], { kind: 'proportion', role: 'guardrail', direction: 'decrease', nonInferiorityMargin: 0.1 })));
    const overridden = JSON.parse(runMlcycle(['stats', 'analyze', 'experiment.json', '--json'], { cwd: dir }).stdout);
    expect(overridden.metrics[2].comparisons[0].nonInferiority.margin).toBe(0.1);
    const ignored = runMlcycle(['stats', 'analyze', 'experiment.json', '--no-spec'], { cwd: dir });
    expect(ignored.code).toBe(2);
    expect(ignored.stderr).toMatch(/experiment.json:\d+: metrics\[0\]\.kind: expected one of proportion, mean, ratio, quantile/);
  });

  it('refuses a metric whose kind contradicts the spec, naming the line, and an invalid spec', () => {
    const content = experiment((input) => (input.metrics[1].kind = 'mean'));
    const result = runMlcycle(['stats', 'analyze', 'experiment.json'], { cwd: workspace(FLIGHT_DELAY_SPEC, content) });
    expect(result.code).toBe(2);
    const line = content.split('\n').findIndex((row) => row.includes('"kind": "mean"')) + 1;
    expect(result.stderr).toContain(`experiment.json:${line}: metrics[1].kind: mlcycle.yaml defines alert_engagement as a ratio metric, not mean`);
    const broken = runMlcycle(['stats', 'analyze', 'experiment.json'], { cwd: workspace(FLIGHT_DELAY_SPEC.replace('kind: quantile', 'kind: median'), experiment()) });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/mlcycle.yaml:\d+: successMetrics\[3\]\.kind/);
  });
});
