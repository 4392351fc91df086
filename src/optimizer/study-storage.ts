/**
 * Where a study keeps its trials. Synchronous, so that both the in-memory store here and a SQLite store
 * (better-sqlite3 is synchronous) can back it; the metadata store's tables implement it later.
 */
import type { ParameterValue } from './search-space.js';
import type { Trial, TrialState } from './trial.js';

/** The capability a study needs from persistence: create trials, record what they report, finish them. */
export interface StudyStorage {
  /** Every trial, by number. */
  trials(): readonly Trial[];
  /** Records a new running trial with its parameters and returns it; numbers count up from 0. */
  createTrial(params: Readonly<Record<string, ParameterValue>>): Trial;
  setIntermediateValue(trialNumber: number, step: number, value: number): void;
  setAttribute(trialNumber: number, key: string, value: number): void;
  /** Moves a running trial to its final state; a complete trial carries its value. */
  finishTrial(trialNumber: number, state: Exclude<TrialState, 'running'>, value?: number): void;
}

/** A study storage in memory: nothing survives the process. */
export function inMemoryStudyStorage(): StudyStorage {
  const trials: Trial[] = [];
  const get = (trialNumber: number): Trial => {
    const trial = trials[trialNumber];
    if (trial === undefined) throw new RangeError(`no trial ${trialNumber}`);
    return trial;
  };
  // Trials are replaced, never mutated, so a list handed out earlier stays a consistent snapshot.
  const update = (trialNumber: number, change: (trial: Trial) => Trial): void => {
    trials[trialNumber] = change(get(trialNumber));
  };
  return {
    trials: () => trials.slice(),
    createTrial(params) {
      const trial: Trial = { number: trials.length, state: 'running', params: { ...params }, intermediateValues: new Map(), attributes: {} };
      trials.push(trial);
      return trial;
    },
    setIntermediateValue(trialNumber, step, value) {
      update(trialNumber, (trial) => ({ ...trial, intermediateValues: withValue(trial.intermediateValues, step, value) }));
    },
    setAttribute(trialNumber, key, value) {
      update(trialNumber, (trial) => ({ ...trial, attributes: { ...trial.attributes, [key]: value } }));
    },
    finishTrial(trialNumber, state, value) {
      update(trialNumber, (trial) => {
        const finished: Trial = { ...trial, state };
        if (value === undefined) delete finished.value;
        else finished.value = value;
        return finished;
      });
    },
  };
}

/** The map with one more step, steps kept ascending. */
function withValue(values: ReadonlyMap<number, number>, step: number, value: number): Map<number, number> {
  const entries: [number, number][] = [...values, [step, value]];
  return new Map(entries.sort((a, b) => a[0] - b[0]));
}
