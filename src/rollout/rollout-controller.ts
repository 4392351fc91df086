/**
 * The rollout controller inside `mlcycle server`: every interval, one tick of each running rollout (as
 * `mlcycle rollout tick`). Ticks never overlap; a failed tick is logged and the next one tries again.
 * Several servers on one workspace tick through a lease (`mayRun`, jobs/lease-gate.ts), so one of them
 * ticks at a time; should two ever tick together, the store's transitions still compare the state and
 * step they observed, so only one of them acts on an observation (the other's is refused and skipped).
 */
import { MlcycleError } from '../error.js';
import { loadSpec } from '../problem/load-spec.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { startTickLoop, type TickLoop } from '../jobs/tick-loop.js';
import { tickRollout } from './rollout.js';

export type RolloutController = TickLoop;

export function startRolloutController(
  workspace: Workspace,
  openEngine: () => Promise<AnalyticsEngine>,
  context: () => ChangeContext,
  intervalMs: number,
  log: (line: string) => void,
  /** Asked before every tick; a tick runs only when it answers true (this server holds the lease). */
  mayRun: () => Promise<boolean> = () => Promise.resolve(true),
): RolloutController {
  const tick = async (): Promise<void> => {
    if (!(await mayRun())) return;
    // Rolled-back rollouts too: a tick finishes what an interrupted rollback left undone (settleRollback).
    const names = (await workspace.rollouts.list()).filter((record) => record.state === 'running' || record.state === 'rolled-back').map((record) => record.name);
    if (names.length === 0) return;
    const spec = await loadSpec(workspace.specFile);
    if (!spec.exists || spec.spec === undefined) {
      log('rollout controller: mlcycle.yaml is missing or invalid; no rollout advances until it is fixed');
      return;
    }
    const engine = await openEngine();
    try {
      for (const name of names) {
        try {
          await tickRollout(workspace, engine, spec.spec, name, context(), log);
        } catch (error) {
          if (error instanceof MlcycleError && error.code === 'conflict') continue;
          log(`rollout controller: ${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    } finally {
      await engine.close();
    }
  };
  return startTickLoop('rollout controller', tick, intervalMs, log);
}
