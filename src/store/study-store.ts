/**
 * Tuning studies and their trials: what a study store keeps, whatever the backend. A study's settings are
 * plain JSON so that a resumed study, a worker thread and a worker process on another machine rebuild the
 * same sampler, pruner and objective from the store alone. The objective's description belongs to the
 * train stage (src/train/tune/objective.ts), so the store keeps it as the caller's type `Objective`.
 *
 * The trials are a `StudyStorage`, synchronous because the ask/tell `Study` of src/optimizer/ is.
 */
import os from 'node:os';
import type { PrunerSettings, SamplerSettings } from '../optimizer/sampler-settings.js';
import type { SearchSpace } from '../optimizer/search-space.js';
import type { StudyStorage } from '../optimizer/study-storage.js';
import type { Direction, TrialState } from '../optimizer/trial.js';
import type { ChangeContext } from './audit-log.js';

export interface StudySettings<Objective = unknown> {
  name: string;
  direction: Direction;
  space: SearchSpace;
  sampler: SamplerSettings;
  pruner: PrunerSettings;
  objective: Objective;
  /** The tracking run each trial's run nests under. */
  parentRunId?: string;
}

export interface StudyRecord<Objective = unknown> extends StudySettings<Objective> {
  id: number;
  createdAt: string;
  createdBy: string;
}

/** The stored trial plus what only the runner needs: its tracking run and owner. */
export interface StoredTrialInfo {
  number: number;
  state: TrialState;
  owner: string;
  runId: string | undefined;
}

/** One study's trials, shared by every process that opens the same store. */
export interface StudyTrials extends StudyStorage {
  /** Owner and tracking run of every trial, by number. */
  trialInfo(): readonly StoredTrialInfo[];
  /** Records the tracking run of a trial. */
  setRunId(trialNumber: number, runId: string): void;
  /** Marks running trials whose owner process is gone as failed (`abandoned` = 1); returns their numbers. */
  failAbandonedTrials(isAlive?: (owner: string) => boolean): number[];
}

/** Studies by name, and their trials. */
export interface StudyStore {
  /** Creates a study (auditing it); a study of that name already there is a conflict. */
  createStudy<Objective>(settings: StudySettings<Objective>, context: ChangeContext): StudyRecord<Objective>;
  findStudy(name: string): StudyRecord | undefined;
  /** The study's trials; trials created through them are owned by `owner` (this process by default). */
  trials(study: StudyRecord<unknown>, owner?: string): StudyTrials;
  /** Releases the store's connection; the workspace does this when it closes. */
  close(): void;
}

/** This process, as trial owners are recorded: `host:pid`. */
export function currentOwner(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** Whether the process that owns a trial still runs. Only this host's processes can be checked; others count as gone. */
export function isOwnerAlive(owner: string): boolean {
  const at = owner.lastIndexOf(':');
  if (owner.slice(0, at) !== os.hostname()) return false;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
