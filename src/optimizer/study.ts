/**
 * A tuning study: ask for a trial's parameters, report intermediate values, ask whether to prune, tell
 * the outcome (Optuna's ask-and-tell interface). Parameters are sampled in the space's order, so a
 * condition's parent is known before its child; inactive parameters are left out of the trial.
 */
import { MlcycleError } from '../error.js';
import { noPruner, type Pruner } from './pruner.js';
import type { Sampler, SamplingContext } from './sampler.js';
import { isActive, type ParameterValue, type SearchSpace } from './search-space.js';
import { inMemoryStudyStorage, type StudyStorage } from './study-storage.js';
import { isBetter, type Direction, type Trial } from './trial.js';

export interface StudyOptions {
  space: SearchSpace;
  direction: Direction;
  sampler: Sampler;
  pruner?: Pruner;
  /** Defaults to memory. A storage with trials in it resumes that study. */
  storage?: StudyStorage;
}

/** What a trial that finished reports: complete with the objective value, pruned, or failed. */
export type TrialOutcome = { state: 'complete'; value: number } | { state: 'pruned' } | { state: 'failed' };

export class Study {
  readonly space: SearchSpace;
  readonly direction: Direction;
  private readonly sampler: Sampler;
  private readonly pruner: Pruner;
  private readonly storage: StudyStorage;

  constructor(options: StudyOptions) {
    this.space = options.space;
    this.direction = options.direction;
    this.sampler = options.sampler;
    this.pruner = options.pruner ?? noPruner;
    this.storage = options.storage ?? inMemoryStudyStorage();
  }

  /** Every trial so far, by number. */
  get trials(): readonly Trial[] {
    return this.storage.trials();
  }

  /** Starts a trial: samples its active parameters given every trial so far. */
  ask(): Trial {
    const context: SamplingContext = { trials: this.storage.trials(), direction: this.direction };
    const relative = this.sampler.sampleRelative?.(context, this.space) ?? {};
    const params: Record<string, ParameterValue> = {};
    for (const [name, parameter] of Object.entries(this.space)) {
      if (!isActive(parameter, params)) continue;
      params[name] = relative[name] ?? this.sampler.sampleIndependent(context, name, parameter);
    }
    return this.storage.createTrial(params);
  }

  /** Records an intermediate objective value (for example after a boosting round). */
  report(trialNumber: number, step: number, value: number): void {
    this.running(trialNumber);
    if (!Number.isInteger(step) || step < 0) throw new MlcycleError('invalid_input', `step must be a whole number of at least 0, got ${step}`);
    this.storage.setIntermediateValue(trialNumber, step, value);
  }

  /** Asks the pruner about the trial's last report; the caller stops the trial and tells `pruned` when true. */
  shouldPrune(trialNumber: number): boolean {
    const trial = this.running(trialNumber);
    const decision = this.pruner.prune({ trials: this.storage.trials(), direction: this.direction }, trial);
    for (const [key, value] of Object.entries(decision.attributes)) this.storage.setAttribute(trialNumber, key, value);
    return decision.prune;
  }

  /** Finishes a trial. A complete trial whose value is not a number is recorded as failed, as Optuna does. */
  tell(trialNumber: number, outcome: TrialOutcome): Trial {
    this.running(trialNumber);
    if (outcome.state === 'complete' && Number.isNaN(outcome.value)) this.storage.finishTrial(trialNumber, 'failed');
    else if (outcome.state === 'complete') this.storage.finishTrial(trialNumber, 'complete', outcome.value);
    else this.storage.finishTrial(trialNumber, outcome.state);
    return this.storage.trials()[trialNumber] as Trial;
  }

  /** The complete trial with the best value (the earliest on ties); undefined before any completes. */
  bestTrial(): Trial | undefined {
    let best: Trial | undefined;
    for (const trial of this.storage.trials()) {
      if (trial.state !== 'complete' || trial.value === undefined) continue;
      if (best === undefined || isBetter(trial.value, best.value as number, this.direction)) best = trial;
    }
    return best;
  }

  /** Runs `trials` trials of an objective that needs no pruning, one after another. */
  optimize(objective: (params: Readonly<Record<string, ParameterValue>>) => number, trials: number): void {
    for (let i = 0; i < trials; i++) {
      const trial = this.ask();
      let value: number;
      try {
        value = objective(trial.params);
      } catch (error) {
        this.tell(trial.number, { state: 'failed' });
        throw error;
      }
      this.tell(trial.number, { state: 'complete', value });
    }
  }

  private running(trialNumber: number): Trial {
    const trial = this.storage.trials()[trialNumber];
    if (trial === undefined) throw new MlcycleError('not_found', `no trial ${trialNumber} in this study`);
    if (trial.state !== 'running') throw new MlcycleError('conflict', `trial ${trialNumber} is already ${trial.state}`);
    return trial;
  }
}
