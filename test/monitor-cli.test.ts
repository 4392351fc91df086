/** `mlcycle monitor`, `mlcycle incidents` and `mlcycle owners` on a real workspace, event log and DuckDB. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLIGHT_DELAY_SPEC } from '../src/demo/flight-delay-spec.js';
import type { EventRecord } from '../src/store/event-store.js';
import { openWorkspace } from '../src/store/workspace.js';
import { seededRandom } from '../src/stats/random.js';
import { expectUserError } from './support/user-error.js';
import { runMlcycle } from './support/run-cli.js';
import { tempDir, testContext } from './support/temp-dir.js';

/** A workspace with the demo's spec (owners included) and two CSV datasets, the second shifted. */
function workspaceWithData(): string {
  const dir = tempDir();
  expect(runMlcycle(['init', '--name', 'flights'], { cwd: dir }).code).toBe(0);
  writeFileSync(path.join(dir, 'mlcycle.yaml'), FLIGHT_DELAY_SPEC);
  const random = seededRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const carriers = ['AA', 'UA', 'DL', 'WN'];
  const write = (file: string, rows: number, shift: number) => {
    const lines = ['distance,carrier,hour,delayed'];
    for (let row = 0; row < rows; row += 1) {
      const carrier = carriers[Math.floor(random() * (shift > 0 ? 2 : 4))] as string;
      lines.push(`${(800 + 300 * normal() + shift * 400).toFixed(1)},${carrier},${Math.floor(random() * 24)},${random() < 0.2}`);
    }
    writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
  };
  write('spring.csv', 3000, 0);
  write('summer.csv', 2000, 1);
  write('spring-again.csv', 2500, 0);
  for (const [file, name] of [['spring.csv', 'spring'], ['summer.csv', 'summer'], ['spring-again.csv', 'later']] as const) {
    expect(runMlcycle(['data', 'add', file, '--name', name], { cwd: dir }).code).toBe(0);
  }
  return dir;
}

const json = (dir: string, args: string[]) => {
  const run = runMlcycle([...args, '--json'], { cwd: dir });
  expect(run.code, `${args.join(" ")}: ${run.stderr}${run.stdout}`).toBe(0);
  return JSON.parse(run.stdout);
};

describe('mlcycle monitor drift', { timeout: 240_000 }, () => {
  it('finds drifted columns with the default tests, opens one incident for the owner, and the board needs attention until it is resolved', () => {
    const dir = workspaceWithData();
    const steady = json(dir, ['monitor', 'drift', 'flights', '--reference', 'spring', '--current', 'later', '--exclude', 'delayed']);
    expect(steady.report.columns.map((column: { column: string; test: string }) => `${column.column}:${column.test}`)).toEqual(['distance:wasserstein', 'carrier:jensen-shannon', 'hour:wasserstein']);
    expect(steady.report.dataset).toMatchObject({ drifted: false, driftedColumns: 0 });
    expect(steady.incident).toBeNull();

    const drifted = runMlcycle(['monitor', 'drift', 'flights', '--reference', 'spring', '--current', 'summer', '--exclude', 'delayed'], { cwd: dir });
    expect(drifted.code).toBe(0);
    expect(drifted.stdout).toMatch(/DRIFT distance +wasserstein +1\.\d+/);
    expect(drifted.stdout).toMatch(/DRIFT carrier +jensen-shannon/);
    expect(drifted.stdout).toMatch(/ok {4}hour +wasserstein/);
    expect(drifted.stdout).toMatch(/data drift: YES, 2 of 3 columns drifted/);
    // The monitor's owner from the spec (owners.monitor), with the on-call contact.
    expect(drifted.stdout).toMatch(/opened incident #1 open critical \(owner Ravi Patel, on call pager:flight-alerts-serving; 1 occurrence/);
    // A second check of the same drift adds an occurrence instead of a second incident.
    const again = json(dir, ['monitor', 'drift', 'flights', '--reference', 'spring', '--current', 'summer', '--exclude', 'delayed']);
    expect(again.incident).toMatchObject({ opened: false, incident: { id: 1, occurrences: 2 } });
    expect(json(dir, ['incidents', 'list'])).toHaveLength(1);
    expect(json(dir, ['monitor', 'results', 'flights']).map((result: { alerting: boolean }) => result.alerting)).toEqual([true, true, false]);

    const board = () => json(dir, ['status']).stages.find((stage: { id: string }) => stage.id === 'maintenance');
    expect(board()).toMatchObject({ state: 'needs-attention', nextStep: expect.stringMatching(/incident 1 is open: .*retrain/) });
    expect(json(dir, ['incidents', 'ack', '1', '--note', 'looking at the summer schedule'])).toMatchObject({ state: 'acknowledged', note: 'looking at the summer schedule' });
    expect(board().state).toBe('needs-attention');
    expect(json(dir, ['incidents', 'resolve', '1', '--note', 'retrained on June'])).toMatchObject({ state: 'resolved' });
    expect(board().state).toBe('done');
    expectUserError(runMlcycle(['incidents', 'ack', '1'], { cwd: dir }), /incident 1 is resolved already/);
    expectUserError(runMlcycle(['incidents', 'resolve', '9'], { cwd: dir }), /no incident 9/);
    const audit = json(dir, ['log']).map((entry: { action: string }) => entry.action);
    expect(audit.filter((action: string) => action.startsWith('incident.'))).toEqual(['incident.resolved', 'incident.acknowledged', 'incident.opened']);
  });

  it("reads the current sample from a model's logged predictions", async () => {
    const dir = workspaceWithData();
    const workspace = await openWorkspace(dir, testContext());
    const writer = await workspace.openEventWriter();
    const random = seededRandom(3);
    const records = Array.from({ length: 1500 }, (_, index) => ({
      type: 'prediction' as const,
      time: new Date(Date.UTC(2026, 5, 1) + index * 60_000).toISOString(),
      model: 'flight-delay',
      version: 1,
      score: random(),
      inputs: JSON.stringify({ distance: 2000 + 300 * random(), carrier: index % 2 === 0 ? 'AA' : 'UA', hour: Math.floor(random() * 24) }),
    }));
    await writer.append(records);
    await writer.close();
    await workspace.close();
    const check = json(dir, ['monitor', 'drift', 'served', '--reference', 'spring', '--model', 'flight-delay', '--since', '2026-06-01T10:00:00Z']);
    expect(check.report.current).toEqual({ description: 'predictions of flight-delay from 2026-06-01T10:00:00.000Z', rows: 900 });
    expect(check.report.columns.map((column: { column: string; drifted: boolean }) => [column.column, column.drifted])).toEqual([
      ['distance', true],
      ['carrier', true],
      ['hour', false],
    ]);
    expect(check.incident.opened).toBe(true);
  });

  it("checks a model's live false-alarm rate on labelled predictions, overall and by region, and opens an incident for the model's owner", async () => {
    const dir = workspaceWithData();
    const workspace = await openWorkspace(dir, testContext());
    const writer = await workspace.openEventWriter();
    const random = seededRandom(5);
    const records: EventRecord[] = [];
    const counts: Record<string, { negatives: number; alarms: number }> = { Northeast: { negatives: 0, alarms: 0 }, South: { negatives: 0, alarms: 0 } };
    for (let index = 0; index < 2000; index += 1) {
      const region = index % 2 === 0 ? 'Northeast' : 'South';
      const delayed = random() < 0.25 ? 1 : 0;
      // The model over-alerts in the Northeast: its on-time flights score higher there.
      const score = Math.min(1, random() * (region === 'Northeast' ? 0.7 : 0.45) + delayed * 0.3);
      const decision = score >= 0.3 ? 1 : 0;
      if (delayed === 0) {
        const count = counts[region] as { negatives: number; alarms: number };
        count.negatives += 1;
        count.alarms += decision;
      }
      const time = new Date(Date.UTC(2026, 5, 1) + index * 60_000).toISOString();
      records.push({ type: 'prediction', time, unit: `p-${index}`, requestId: `r-${index}`, model: 'flight-delay', version: 3, score, decision, inputs: JSON.stringify({ origin_region: region, hour: 9 }) });
      records.push({ type: 'outcome', time, unit: `p-${index}`, name: 'delayed', value: delayed });
    }
    await writer.append(records);
    await writer.close();
    await workspace.close();
    const check = json(dir, ['monitor', 'performance', 'live-alerts', '--model', 'flight-delay/3', '--since', '2026-06-01', '--segment', 'origin_region']);
    const northeast = counts.Northeast as { negatives: number; alarms: number };
    const south = counts.South as { negatives: number; alarms: number };
    expect(check.labelled).toBe(2000);
    expect(check.segments).toEqual([
      { segment: 'Northeast', negatives: northeast.negatives, falseAlarms: northeast.alarms },
      { segment: 'South', negatives: south.negatives, falseAlarms: south.alarms },
    ]);
    const overall = (northeast.alarms + south.alarms) / (northeast.negatives + south.negatives);
    expect(check.gates[0].detail).toContain(`${(overall * 100).toFixed(2)}% (${northeast.alarms + south.alarms} of ${northeast.negatives + south.negatives} labelled negatives alerted`);
    expect(check.gates.map((gate: { gate: string; status: string }) => [gate.gate, gate.status])).toContainEqual(['false-alarm rate in Northeast', 'fail']);
    expect(check.incident).toMatchObject({ opened: true, incident: { owner: 'Sam Lee', severity: 'warning' } });
    // No offline evaluation of this version: no prediction drift to report.
    expect(check.scoreDrift).toBeNull();
    expectUserError(runMlcycle(['monitor', 'performance', 'live-alerts', '--model', 'flight-delay/3', '--segment', 'carrier'], { cwd: dir }), /--segment: "carrier" is not a segment of mlcycle.yaml/);
    expectUserError(runMlcycle(['monitor', 'performance', 'live-alerts', '--model', 'flight-delay/3', '--since', 'soon'], { cwd: dir }), /--since: expected an ISO 8601 time/);
    expectUserError(runMlcycle(['monitor', 'performance', 'live-alerts', '--model', 'flight-delay@champion'], { cwd: dir }), /no registered model named "flight-delay"/);
    expect(json(dir, ['monitor', 'results', 'live-alerts'])).toHaveLength(1);
  });

  it('refuses bad requests with exit 2, naming the problem, and records nothing', () => {
    const dir = workspaceWithData();
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring'], { cwd: dir }), /give the current data as --current DATASET or --model MODEL/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring', '--current', 'summer', '--model', 'x'], { cwd: dir }), /one of them/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'nope', '--current', 'summer'], { cwd: dir }), /no dataset named "nope"/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring', '--current', 'summer', '--columns', 'distance,altitude'], { cwd: dir }), /columns: "altitude" not in spring@1/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring', '--current', 'summer', '--test', 'anova'], { cwd: dir }), /--test: expected one of ks, chi-square/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring', '--model', 'flight-delay', '--since', 'yesterday'], { cwd: dir }), /--since: expected an ISO 8601 time/);
    expectUserError(runMlcycle(['monitor', 'drift', 'm', '--reference', 'spring', '--model', 'flight-delay'], { cwd: dir }), /no logged inputs in the predictions of flight-delay/);
    expectUserError(runMlcycle(['monitor', 'drift', 'Bad Name', '--reference', 'spring', '--current', 'summer'], { cwd: dir }), /monitor name "Bad Name"/);
    expect(json(dir, ['monitor', 'results'])).toEqual([]);
    expect(json(dir, ['incidents', 'list', '--all'])).toEqual([]);
  });
});

describe('mlcycle owners and manual incidents', { timeout: 240_000 }, () => {
  it("lists each component's owner and flags the ones without", () => {
    const dir = workspaceWithData();
    expect(json(dir, ['owners'])).toEqual([
      { component: 'dataset', owner: 'Sam Lee', onCall: 'sam@example.com' },
      { component: 'pipeline', owner: 'Sam Lee', onCall: 'sam@example.com' },
      { component: 'model', owner: 'Sam Lee', onCall: 'sam@example.com' },
      { component: 'endpoint', owner: 'Ravi Patel', onCall: 'pager:flight-alerts-serving' },
      { component: 'experiment', owner: 'Sam Lee', onCall: 'sam@example.com' },
      { component: 'rollout', owner: 'Ravi Patel', onCall: 'pager:flight-alerts-serving' },
      { component: 'monitor', owner: 'Ravi Patel', onCall: 'pager:flight-alerts-serving' },
    ]);
    writeFileSync(path.join(dir, 'mlcycle.yaml'), FLIGHT_DELAY_SPEC.replace(/ {2}monitor: \{ owner: Ravi Patel, onCall: pager:flight-alerts-serving \}\n/, ''));
    expect(runMlcycle(['owners'], { cwd: dir }).stdout).toMatch(/monitor +NO OWNER \(add owners\.monitor to mlcycle\.yaml\)/);
    const opened = json(dir, ['incidents', 'open', '--title', 'alerts arrive twice', '--severity', 'critical']);
    expect(opened).toMatchObject({ source: 'manual', severity: 'critical', state: 'open', owner: 'Sam Lee' });
    expectUserError(runMlcycle(['incidents', 'open', '--title', 'x', '--severity', 'sev1'], { cwd: dir }), /--severity: expected warning or critical/);
  });
});
