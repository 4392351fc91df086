/**
 * The monitor scheduler inside `mlcycle server`: every interval, `mlcycle monitor run` for every monitor the
 * spec declares, computing the windows completed since the last tick. Ticks never overlap; a failed monitor
 * is logged and the others still run; the next tick tries it again. Several servers on one workspace
 * tick through a lease (`mayRun`, jobs/lease-gate.ts), so one of them computes a window at a time; a
 * window is found by the index of the last stored one, so a tick that was cut off is simply resumed.
 */
import { loadSpec } from '../problem/load-spec.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { startTickLoop, type TickLoop } from '../jobs/tick-loop.js';
import { runMonitor } from './run-monitor.js';

export type MonitorScheduler = TickLoop;

export function startMonitorScheduler(
  workspace: Workspace,
  openEngine: () => Promise<AnalyticsEngine>,
  context: () => ChangeContext,
  intervalMs: number,
  log: (line: string) => void,
  /** Asked before every tick; a tick runs only when it answers true (this server holds the lease). */
  mayRun: () => Promise<boolean> = () => Promise.resolve(true),
): MonitorScheduler {
  let warned = false;
  const tick = async (): Promise<void> => {
    if (!(await mayRun())) return;
    const spec = await loadSpec(workspace.specFile);
    if (!spec.exists || spec.spec === undefined) {
      if (!warned) log('monitor scheduler: mlcycle.yaml is missing or invalid; no monitor runs until it is fixed');
      warned = true;
      return;
    }
    warned = false;
    if (spec.spec.monitors.length === 0) return;
    const engine = await openEngine();
    try {
      for (const monitor of spec.spec.monitors) {
        try {
          const run = await runMonitor(workspace, engine, spec.spec, monitor, context());
          for (const { report } of run.windows) {
            const alerts = report.checks.filter((check) => check.status === 'alert').map((check) => `${check.check} (${check.summary})`);
            log(`monitor ${monitor.name}: window ${report.window.index}, ${report.window.rows} predictions: ${alerts.length === 0 ? 'ok' : `ALERT ${alerts.join('; ')}`}`);
          }
          for (const raised of run.incidents.filter((each) => each.opened)) log(`monitor ${monitor.name}: opened incident ${raised.incident.id} (${raised.incident.severity}) for ${raised.incident.owner ?? 'nobody'}`);
        } catch (error) {
          log(`monitor scheduler: ${monitor.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      await engine.close();
    }
  };
  return startTickLoop('monitor scheduler', tick, intervalMs, log);
}
