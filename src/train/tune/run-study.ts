/**
 * Running a tuning study (`mlcycle tune`): create the study in the metadata store or resume it, then ask,
 * evaluate and tell until it holds the wanted number of finished trials, the time is up or the caller
 * aborts. The study is a tracking run and each trial a run nested under it, with the trial's parameters,
 * its intermediate values as a metric history, and its value.
 *
 * Resuming: trials left running by a process that is gone (a crash, a kill) are marked failed with the
 * attribute `abandoned` and do not count; finished trials stay and feed the sampler.
 */
import { MlcycleError } from '../../error.js';
import type { ChangeContext } from '../../store/audit-log.js';
import type { StudyStore, StudyTrials } from '../../store/study-store.js';
import type { Workspace } from '../../store/workspace.js';
import type { ActiveRun } from '../../tracking/active-run.js';
import { startRun } from '../../tracking/start-run.js';
import { Study } from '../../optimizer/study.js';
import type { Trial } from '../../optimizer/trial.js';
import { inlineEvaluator, type EvaluationOutcome, type TrialEvaluator, type TrialJob } from './evaluate-trial.js';
import { objectiveTracksRuns } from './objective.js';
import { findTuningStudy, makePruner, makeSampler, type StudyRecord, type StudySettings } from './study-settings.js';

export interface TuneRequest {
  workspace: Workspace;
  /** The study to create, or to resume when one of this name exists (its space and objective must match). */
  settings: Omit<StudySettings, 'parentRunId'>;
  /** Run until the study holds this many finished trials (complete, pruned, or failed by the objective). */
  trials: number;
  /** Where trials run; one at a time in this thread by default. */
  evaluator?: TrialEvaluator;
  /** Stop asking for new trials after this many seconds; running trials finish. */
  timeoutSeconds?: number;
  /** Aborting stops at once: running trials are marked failed (attribute `interrupted`). */
  signal?: AbortSignal;
  /** The experiment the study's runs go to (default `tune`). */
  experiment?: string;
  context: ChangeContext;
  /** Called after each trial finishes. */
  onTrial?: (trial: Trial, progress: { finished: number; target: number }) => void;
}

export interface TuneResult {
  study: StudyRecord;
  trials: readonly Trial[];
  best: Trial | undefined;
  resumed: boolean;
  /** Trials of an earlier, dead session that this one marked failed. */
  abandoned: number[];
  stoppedBy: 'trials' | 'timeout' | 'interrupt';
}

/** Finished trials that count towards the target: abandoned and interrupted ones do not. */
export function countedTrials(trials: readonly Trial[]): number {
  return trials.filter((trial) => trial.state !== 'running' && trial.attributes.abandoned === undefined && trial.attributes.interrupted === undefined).length;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Creates or resumes the study and runs trials until one of the stopping rules holds. */
export async function runStudy(request: TuneRequest): Promise<TuneResult> {
  const { workspace, context } = request;
  if (!Number.isInteger(request.trials) || request.trials < 1) throw new MlcycleError('invalid_input', `trials must be a whole number of at least 1, got ${request.trials}`);
  const store = workspace.studies;
  const evaluator = request.evaluator ?? inlineEvaluator();
  try {
    const { record, resumed, parentRun } = await openStudy(store, request);
    const storage = store.trials(record);
    const abandoned = storage.failAbandonedTrials();
    for (const info of storage.trialInfo()) {
      if (abandoned.includes(info.number) && info.runId !== undefined) await endRunQuietly(workspace, info.runId, 'FAILED', context);
    }
    const study = new Study({ space: record.space, direction: record.direction, sampler: makeSampler(record.sampler, storage.trials().length), pruner: makePruner(record.pruner), storage });
    const stoppedBy = await trialLoop(request, record, study, storage, evaluator);
    if (parentRun !== undefined) await parentRun.end(stoppedBy === 'interrupt' ? 'KILLED' : 'FINISHED');
    return { study: record, trials: study.trials, best: study.bestTrial(), resumed, abandoned, stoppedBy };
  } finally {
    await evaluator.close();
  }
}

async function openStudy(store: StudyStore, request: TuneRequest): Promise<{ record: StudyRecord; resumed: boolean; parentRun?: ActiveRun }> {
  const { settings, workspace, context } = request;
  const existing = findTuningStudy(store, settings.name);
  if (existing !== undefined) {
    const differs = (['direction', 'space', 'objective'] as const).filter((field) => !sameJson(existing[field], settings[field]));
    if (differs.length > 0) {
      throw new MlcycleError('conflict', `study "${settings.name}" exists with a different ${differs.join(' and ')}; resume it with the same settings or pick another --study name`);
    }
    return { record: existing, resumed: true };
  }
  const parentRun = await startRun({ experiment: request.experiment ?? 'tune', name: settings.name, workspace, context, gitCommit: false, tags: { 'mlcycle.study': settings.name } });
  await parentRun.logParams({ sampler: settings.sampler.kind, seed: settings.sampler.seed, pruner: settings.pruner.kind, direction: settings.direction });
  return { record: store.createStudy({ ...settings, parentRunId: parentRun.id }, context), resumed: false, parentRun };
}

async function endRunQuietly(workspace: Workspace, runId: string, status: 'FAILED' | 'KILLED', context: ChangeContext): Promise<void> {
  const run = await workspace.runs.findRun(runId);
  if (run?.status === 'RUNNING') await workspace.runs.endRun(runId, status, context.now().getTime(), context);
}

async function trialLoop(request: TuneRequest, record: StudyRecord, study: Study, storage: StudyTrials, evaluator: TrialEvaluator): Promise<TuneResult['stoppedBy']> {
  const { workspace, context, signal } = request;
  const deadline = request.timeoutSeconds === undefined ? Infinity : Date.now() + request.timeoutSeconds * 1000;
  const inFlight = new Map<number, Promise<void>>();
  const runs = new Map<number, ActiveRun>();
  const tracksRuns = objectiveTracksRuns(record.objective);
  const aborted = new Promise<void>((resolve) => (signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve(), { once: true })));

  const finish = async (trialNumber: number, outcome: EvaluationOutcome): Promise<void> => {
    const trial = study.tell(trialNumber, outcome.state === 'failed' ? { state: 'failed' } : outcome);
    const run = runs.get(trialNumber);
    runs.delete(trialNumber);
    if (outcome.runId !== undefined) storage.setRunId(trialNumber, outcome.runId);
    if (run !== undefined) await recordTrialRun(run, trial, outcome);
    request.onTrial?.(trial, { finished: countedTrials(study.trials), target: request.trials });
  };

  const recordTrialRun = async (run: ActiveRun, trial: Trial, outcome: EvaluationOutcome): Promise<void> => {
    for (const [step, value] of trial.intermediateValues) run.logMetric('intermediate_value', value, step);
    if (trial.value !== undefined) run.logMetric('value', trial.value);
    await run.setTags({ 'mlcycle.trial.state': trial.state, ...(outcome.state === 'failed' ? { 'mlcycle.error': outcome.error.slice(0, 5000) } : {}) });
    await run.end(trial.state === 'failed' ? 'FAILED' : 'FINISHED');
  };

  const interrupted = async (trialNumber: number): Promise<void> => {
    if (study.trials[trialNumber]?.state !== 'running') return;
    storage.setAttribute(trialNumber, 'interrupted', 1);
    study.tell(trialNumber, { state: 'failed' });
    const run = runs.get(trialNumber);
    runs.delete(trialNumber);
    await run?.end('KILLED');
  };

  // The study's storage writes synchronously on its own connection; tracking writes go through Kysely,
  // whose transactions span awaits. Interleaved in this process, a storage write would wait for the lock
  // of a transaction that cannot finish while it waits, so every step that touches either runs in turn.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(body: () => Promise<T>): Promise<T> => {
    const next = chain.then(body);
    chain = next.catch(() => undefined);
    return next;
  };
  const canAsk = (): boolean => !(signal?.aborted ?? false) && Date.now() < deadline && countedTrials(study.trials) + inFlight.size < request.trials;
  for (;;) {
    while (inFlight.size < evaluator.capacity && canAsk()) {
      const trial = await serial(async () => {
        const asked = study.ask();
        if (tracksRuns) return asked;
        const run = await startRun({
          experiment: request.experiment ?? 'tune',
          name: `trial-${asked.number}`,
          ...(record.parentRunId === undefined ? {} : { parent: record.parentRunId }),
          workspace,
          context,
          gitCommit: false,
          tags: { 'mlcycle.study': record.name, 'mlcycle.trial': String(asked.number) },
        });
        runs.set(asked.number, run);
        storage.setRunId(asked.number, run.id);
        await run.logParams({ ...asked.params });
        return asked;
      });
      const job: TrialJob = {
        databaseFile: workspace.databaseFile,
        study: record.name,
        trialNumber: trial.number,
        params: { ...trial.params },
        runName: `trial-${trial.number}`,
        ...(record.parentRunId === undefined ? {} : { parentRunId: record.parentRunId }),
      };
      const done = evaluator
        .evaluate(job)
        .then(
          (outcome) => serial(() => finish(trial.number, outcome)),
          () => serial(() => interrupted(trial.number)),
        )
        .finally(() => inFlight.delete(trial.number));
      inFlight.set(trial.number, done);
    }
    if (inFlight.size === 0) break;
    await Promise.race([...inFlight.values(), aborted]);
    if (signal?.aborted) break;
  }
  if (signal?.aborted) {
    await evaluator.close();
    await Promise.allSettled([...inFlight.values()]);
    for (const trialNumber of [...runs.keys()]) await serial(() => interrupted(trialNumber));
    return 'interrupt';
  }
  return countedTrials(study.trials) >= request.trials ? 'trials' : 'timeout';
}
