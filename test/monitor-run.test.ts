/**
 * Monitors declared in the spec, run window by window (`mlcycle monitor add|run|list`, `mlcycle alerts`, the
 * server's scheduler) on a real workspace, event log and DuckDB.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMonitor } from '../src/monitor/run-monitor.js';
import { loadSpec, requireValidSpec } from '../src/problem/load-spec.js';
import { openDuckDb } from '../src/store/duckdb/engine.js';
import { openWorkspace } from '../src/store/workspace.js';
import { serveFlights as serve, workspaceWithReference } from './support/monitor-workspace.js';
import { runMlcycle, startServerProcess } from './support/run-cli.js';
import { testContext } from './support/temp-dir.js';
import { expectUserError } from './support/user-error.js';

const json = (dir: string, args: string[]) => {
  const run = runMlcycle([...args, '--json'], { cwd: dir });
  expect(run.code, `${args.join(' ')}: ${run.stderr}${run.stdout}`).toBe(0);
  return JSON.parse(run.stdout);
};

interface WindowJson {
  window: { index: number; rows: number };
  checks: { check: string; status: string; severity: string; summary: string; measures: { name: string; value: number; threshold: number; source: string; alerting: boolean }[] }[];
  columns: { column: string; test: string; drifted: boolean; thresholdSource: string }[];
}

const statusOf = (window: WindowJson) => Object.fromEntries(window.checks.map((check) => [check.check, check.status]));

describe('mlcycle monitor add and run', { timeout: 240_000 }, () => {
  it('computes each complete window once, finds the shift, routes alerts to the owners, and continues where it stopped', async () => {
    const dir = workspaceWithReference();
    const before = readFileSync(path.join(dir, 'mlcycle.yaml'), 'utf8');
    const added = json(dir, ['monitor', 'add', 'served', '--model', 'flight-delay', '--reference', 'spring', '--window', 'rows:500']);
    expect(added).toMatchObject({ name: 'served', window: { rows: 500 }, thresholds: 'reference', checks: ['drift', 'predictions', 'labels', 'quality', 'performance', 'health'] });
    // The spec keeps every byte it had; the monitor is appended.
    const after = readFileSync(path.join(dir, 'mlcycle.yaml'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe('\nmonitors:\n  - name: served\n    model: flight-delay\n    reference: spring\n    window:\n      rows: 500\n    thresholds: reference\n');

    expect(runMlcycle(['monitor', 'run'], { cwd: dir }).stdout).toMatch(/monitor served: no new window \(no predictions of flight-delay are in the event log yet\)/);
    const start = Date.UTC(2026, 5, 1);
    await serve(dir, start, 1000, false);
    await serve(dir, start + 1000 * 60_000, 1000, true, 1000);
    const [run] = json(dir, ['monitor', 'run', 'served']);
    const windows = run.windows as WindowJson[];
    expect(windows.map((window) => [window.window.index, window.window.rows])).toEqual([
      [0, 500],
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
    // Steady traffic: no data drift (a single column may cross now and then: about 2% of steady columns do),
    // thresholds from the reference's own chunks of 500 rows.
    for (const window of windows.slice(0, 2)) {
      expect(statusOf(window)).toMatchObject({ labels: 'ok', quality: 'ok', health: 'ok' });
      expect(window.checks.find((check) => check.check === 'drift')?.measures.find((measure) => measure.name === 'drifted share')?.alerting).toBe(false);
      expect(window.columns.filter((column) => column.drifted).map((column) => column.column)).not.toContain('distance');
      expect(window.columns.map((column) => [column.column, column.test, column.thresholdSource])).toEqual([
        ['distance', 'wasserstein', 'reference'],
        ['carrier', 'jensen-shannon', 'reference'],
        ['hour', 'wasserstein', 'reference'],
      ]);
    }
    // Shifted traffic: distance and carrier drift (2 of 3 columns: data drift, critical), 4% of requests fail.
    for (const window of windows.slice(2)) {
      expect(statusOf(window)).toMatchObject({ drift: 'alert', health: 'alert', labels: 'ok' });
      expect(window.columns.filter((column) => column.drifted).map((column) => column.column)).toEqual(['distance', 'carrier']);
      expect(window.checks.find((check) => check.check === 'drift')?.severity).toBe('critical');
      const errorRate = window.checks.find((check) => check.check === 'health')?.measures.find((measure) => measure.name === 'error rate');
      expect(errorRate?.value).toBeCloseTo(20 / 520, 12);
      // Longer flights than the reference ever saw: values out of its range.
      expect(window.checks.find((check) => check.check === 'quality')?.measures.find((measure) => measure.name === 'distance out-of-range share')?.value).toBeGreaterThan(0);
    }
    // One incident per monitor and check, the second window adding an occurrence; each routed to its owner.
    const incidents = json(dir, ['incidents', 'list']) as { dedupeKey: string; severity: string; owner: string; occurrences: number; onCall: string }[];
    expect(incidents.map((incident) => [incident.dedupeKey, incident.severity, incident.owner, incident.occurrences]).sort()).toEqual(
      expect.arrayContaining([
        ['monitor:served:drift', 'critical', 'Ravi Patel', 2],
        ['monitor:served:health', 'critical', 'Ravi Patel', 2],
      ]),
    );
    const alerts = json(dir, ['alerts']) as { check: string; window: { index: number }; incident: { id: number } | null }[];
    expect(alerts.filter((alert) => alert.check === 'drift').map((alert) => alert.window.index)).toEqual([3, 2]);
    expect(alerts.every((alert) => alert.incident !== null)).toBe(true);
    expect(json(dir, ['status']).stages.find((stage: { id: string }) => stage.id === 'maintenance').state).toBe('needs-attention');

    // The windows' stored profiles merge without the rows: two steady windows, then all four.
    const steady = json(dir, ['monitor', 'profile', 'served', '--windows', '0..1']);
    expect(steady.windows).toEqual([0, 1]);
    const distance = steady.columns.find((column: { column: string }) => column.column === 'distance');
    expect(distance).toMatchObject({ kind: 'numeric', count: 1000, missing: 0 });
    expect(distance.mean).toBeGreaterThan(770);
    expect(distance.mean).toBeLessThan(830);
    expect(distance.quantiles.p5).toBeLessThan(distance.quantiles.p50);
    const all = json(dir, ['monitor', 'profile', 'served']);
    expect(all.columns.find((column: { column: string }) => column.column === 'distance').mean).toBeGreaterThan(distance.mean + 150);
    expect(all.columns.find((column: { column: string }) => column.column === 'carrier')).toMatchObject({ kind: 'categorical', count: 2000, frequentError: 0 });
    expectUserError(runMlcycle(['monitor', 'profile', 'served', '--windows', 'last'], { cwd: dir }), /--windows: expected FROM..TO/);
    expectUserError(runMlcycle(['monitor', 'profile', 'served', '--windows', '7..9'], { cwd: dir }), /monitor served has no stored window from 7 to 9/);

    // Nothing new: the next run waits; 500 more predictions make one more window, and only that one is computed.
    expect(runMlcycle(['monitor', 'run', 'served'], { cwd: dir }).stdout).toMatch(/no new window \(0 of the next window's 500 predictions are logged\)/);
    await serve(dir, start + 2000 * 60_000, 500, false, 2000);
    const [next] = json(dir, ['monitor', 'run', 'served']);
    expect((next.windows as WindowJson[]).map((window) => window.window.index)).toEqual([4]);
    expect(statusOf(next.windows[0] as WindowJson).drift).toBe('ok');
    expect(json(dir, ['monitor', 'results', 'served'])).toHaveLength(5);
    expect(json(dir, ['monitor', 'list'])).toEqual([expect.objectContaining({ name: 'served', lastWindow: expect.objectContaining({ index: 4 }), alerting: expect.any(Boolean) })]);
  });

  it('cuts time windows at UTC hours, compares volume with the previous windows, and takes an event-log period as the reference', async () => {
    const dir = workspaceWithReference();
    const start = Date.UTC(2026, 5, 1, 10);
    // Three steady hours of 60 predictions, then an hour with 20.
    await serve(dir, start, 180, false);
    await serve(dir, start + 3 * 3_600_000, 20, false, 180);
    json(dir, ['monitor', 'add', 'hourly', '--model', 'flight-delay', '--reference', '2026-06-01T10:00:00Z..2026-06-01T12:00:00Z', '--window', 'hour', '--checks', 'quality,health']);
    const workspace = await openWorkspace(dir, testContext());
    const engine = await openDuckDb();
    try {
      const spec = requireValidSpec(await loadSpec(workspace.specFile));
      const monitor = spec.monitors[0];
      expect(monitor?.reference).toEqual({ since: '2026-06-01T10:00:00.000Z', until: '2026-06-01T12:00:00.000Z' });
      // At 13:30 the fourth hour has not ended: three windows.
      const early = await runMonitor(workspace, engine, spec, monitor as NonNullable<typeof monitor>, testContext(), { now: new Date(start + 3.5 * 3_600_000) });
      expect(early.windows.map(({ report }) => [report.window.start, report.window.rows])).toEqual([
        ['2026-06-01T10:00:00.000Z', 60],
        ['2026-06-01T11:00:00.000Z', 60],
        ['2026-06-01T12:00:00.000Z', 60],
      ]);
      const late = await runMonitor(workspace, engine, spec, monitor as NonNullable<typeof monitor>, testContext(), { now: new Date(start + 4.5 * 3_600_000) });
      expect(late.windows.map(({ report }) => [report.window.index, report.window.rows])).toEqual([[3, 20]]);
      const volume = late.windows[0]?.report.checks.find((check) => check.check === 'quality')?.measures.find((measure) => measure.name === 'volume change');
      expect(volume).toMatchObject({ threshold: 0.1, alerting: true });
      expect(volume?.value).toBeCloseTo(40 / 60, 12);
      expect(late.windows[0]?.report.reference.description).toBe('predictions of flight-delay from 2026-06-01T10:00:00.000Z until 2026-06-01T12:00:00.000Z');
    } finally {
      await engine.close();
      await workspace.close();
    }
  });

  it('refuses bad monitors and names with exit 2, leaving the spec and the results as they were', async () => {
    const dir = workspaceWithReference();
    expectUserError(runMlcycle(['monitor', 'run'], { cwd: dir }), /declares no monitors: add one under monitors: or with `mlcycle monitor add`/);
    const spec = readFileSync(path.join(dir, 'mlcycle.yaml'), 'utf8');
    expectUserError(runMlcycle(['monitor', 'add', 'small', '--model', 'flight-delay', '--reference', 'spring', '--window', 'rows:50'], { cwd: dir }), /the new monitor: window.rows: a window needs at least 100 rows/);
    expectUserError(runMlcycle(['monitor', 'add', 'weekly', '--model', 'flight-delay', '--reference', 'spring', '--window', 'week'], { cwd: dir }), /--window: expected rows:N, hour or day, got "week"/);
    expectUserError(runMlcycle(['monitor', 'add', 'odd', '--model', 'flight-delay', '--reference', 'spring', '--window', 'day', '--checks', 'drift,vibes'], { cwd: dir }), /the new monitor: checks\[1\]: expected one of drift, predictions/);
    expectUserError(runMlcycle(['monitor', 'add', 'Bad Name', '--model', 'flight-delay', '--reference', 'spring', '--window', 'day'], { cwd: dir }), /the new monitor: name: use lower-case letters/);
    expectUserError(runMlcycle(['monitor', 'add', 'back', '--model', 'flight-delay', '--reference', '2026-06-02..2026-06-01', '--window', 'day'], { cwd: dir }), /reference.until: the reference period must end after it starts/);
    expect(readFileSync(path.join(dir, 'mlcycle.yaml'), 'utf8')).toBe(spec);
    json(dir, ['monitor', 'add', 'served', '--model', 'flight-delay', '--reference', 'spring', '--window', 'rows:100']);
    expectUserError(runMlcycle(['monitor', 'add', 'served', '--model', 'flight-delay', '--reference', 'spring', '--window', 'day'], { cwd: dir }), /monitor "served" is already declared in mlcycle.yaml/);
    expectUserError(runMlcycle(['monitor', 'run', 'nope'], { cwd: dir }), /no monitor "nope" in the spec's monitors \(served\)/);
    // A monitor whose reference does not exist fails with the dataset named, and stores nothing.
    writeFileSync(path.join(dir, 'mlcycle.yaml'), readFileSync(path.join(dir, 'mlcycle.yaml'), 'utf8').replace('reference: spring', 'reference: autumn'));
    await serve(dir, Date.UTC(2026, 5, 1), 100, false);
    expectUserError(runMlcycle(['monitor', 'run', 'served'], { cwd: dir }), /no dataset named "autumn"/);
    expect(json(dir, ['monitor', 'results'])).toEqual([]);
    expect(json(dir, ['incidents', 'list', '--all'])).toEqual([]);
  });
});

describe('the monitor scheduler, the API and the report', { timeout: 240_000 }, () => {
  it('computes new windows on its own every interval; the API lists monitors and moves incidents; the report holds no logged row', async () => {
    const dir = workspaceWithReference();
    json(dir, ['monitor', 'add', 'served', '--model', 'flight-delay', '--reference', 'spring', '--window', 'rows:200', '--checks', 'drift,health']);
    await serve(dir, Date.UTC(2026, 5, 1), 200, false);
    await serve(dir, Date.UTC(2026, 5, 2), 200, true, 200);
    const server = await startServerProcess(dir, {}, ['--monitor-interval', '1', '--rollout-interval', '0']);
    const api = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(`${server.url}/api/v1${url}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
      return { status: response.status, body: (await response.json()) as any };
    };
    try {
      const deadline = Date.now() + 60_000;
      let results: { report: { window: { index: number } } }[] = [];
      while (Date.now() < deadline && results.length < 2) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const response = await api('GET', '/monitors/served/results');
        if (response.status === 200) results = response.body.results;
      }
      expect(results.map((result) => result.report.window.index)).toEqual([1, 0]);
      // Ticks that find nothing new store nothing; a run by hand says why it waits.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await api('GET', '/monitors/served/results')).body.results).toHaveLength(2);
      expect((await api('POST', '/monitors/served/run')).body.run).toMatchObject({ windows: [], waiting: "0 of the next window's 200 predictions are logged" });
      const monitors = (await api('GET', '/monitors')).body.monitors as { name: string; last: { alerting: boolean } }[];
      expect(monitors).toMatchObject([{ name: 'served', model: 'flight-delay', window: { rows: 200 }, last: { alerting: true } }]);

      // The shifted window opened incidents (drift and health); the UI's buttons acknowledge and resolve them.
      const incidents = (await api('GET', '/incidents?state=open')).body.incidents as { id: number; dedupeKey: string }[];
      expect(incidents.map((incident) => incident.dedupeKey).sort()).toEqual(['monitor:served:drift', 'monitor:served:health']);
      const first = incidents[0] as { id: number };
      expect((await api('POST', `/incidents/${first.id}/ack`, { note: 'on it' })).body.incident).toMatchObject({ state: 'acknowledged', note: 'on it' });
      expect((await api('POST', `/incidents/${first.id}/resolve`)).body.incident).toMatchObject({ state: 'resolved' });
      const again = await api('POST', `/incidents/${first.id}/ack`);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/resolved already/) });
      expect((await api('GET', '/incidents?state=closed')).body.error).toMatchObject({ code: 'invalid_input', field: 'state' });
      expect((await api('POST', `/incidents/${first.id}/close`)).status).toBe(404);
      expect((await api('POST', '/incidents/abc/ack')).body.error).toMatchObject({ code: 'invalid_input', field: 'id' });
      expect((await api('POST', '/monitors/nope/run')).status).toBe(404);
      expect((await api('GET', '/monitors/served/results?limit=0')).body.error).toMatchObject({ code: 'invalid_input', field: 'limit' });
    } finally {
      await server.stop();
    }

    const report = json(dir, ['monitor', 'report', '--out', 'monitoring.html']);
    expect(report).toMatchObject({ monitors: 1, windows: 2 });
    const html = readFileSync(path.join(dir, 'monitoring.html'), 'utf8');
    expect(html).toContain('Monitor served');
    expect(html).toContain('<svg');
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
    // Aggregates only: no logged request's inputs.
    expect(html).not.toMatch(/"carrier":/);
    const data = JSON.parse(readFileSync(path.join(dir, 'monitoring.json'), 'utf8'));
    expect(data.monitors[0].windows.map((window: { index: number }) => window.index)).toEqual([0, 1]);
    expect(data.monitors[0].windows[1].alerting).toBe(true);
  });
});
