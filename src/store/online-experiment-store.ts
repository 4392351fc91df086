/**
 * Online experiments (A/B tests on live traffic): each has a name, a state (draft, running, stopped) and a
 * definition that the experiment stage validates (arms, weights, coverage, targeting...; plain JSON here).
 * A running experiment whose definition changes starts a new phase, and analysis reads one phase only, so
 * units assigned under different weights are never pooled. Analyses are stored with the phase they read.
 */
import type { ChangeContext } from './audit-log.js';

export const ONLINE_EXPERIMENT_STATES = ['draft', 'running', 'stopped'] as const;
export type OnlineExperimentState = (typeof ONLINE_EXPERIMENT_STATES)[number];

export interface ExperimentPhase {
  phase: number;
  /** The definition this phase ran with, as JSON. */
  definition: unknown;
  startedAt: string;
  endedAt?: string;
}

export interface OnlineExperimentRecord {
  name: string;
  state: OnlineExperimentState;
  /** The current definition, as JSON. */
  definition: unknown;
  /** The current phase: 0 before the first start. */
  phase: number;
  phases: ExperimentPhase[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface StoredExperimentAnalysis {
  id: number;
  experiment: string;
  phase: number;
  /** The decision's short form (ship, stop, continue...) and its sentence. */
  decision: string;
  summary: string;
  /** Whether the primary metric reached a decision with its guardrails holding. */
  decided: boolean;
  /** The whole analysis, as JSON. */
  result: unknown;
  createdAt: string;
  createdBy: string;
}

export type NewExperimentAnalysis = Omit<StoredExperimentAnalysis, 'id' | 'createdAt' | 'createdBy'>;

export interface OnlineExperimentStore {
  /** Creates a draft; a name in use is a conflict. */
  create(name: string, definition: unknown, context: ChangeContext): Promise<OnlineExperimentRecord>;
  find(name: string): Promise<OnlineExperimentRecord | undefined>;
  /** Every experiment, newest first. */
  list(): Promise<OnlineExperimentRecord[]>;
  /** Starts phase 1 of a draft, or the next phase of a stopped experiment. */
  start(name: string, context: ChangeContext): Promise<OnlineExperimentRecord>;
  /** Ends the running phase. */
  stop(name: string, context: ChangeContext): Promise<OnlineExperimentRecord>;
  /**
   * Replaces the definition. With `newPhase`, a running experiment ends its phase and starts the next with
   * the new definition; without, the running phase continues (a change that reassigns no unit, such as
   * raising coverage) and its recorded definition is updated.
   */
  update(name: string, definition: unknown, newPhase: boolean, context: ChangeContext): Promise<OnlineExperimentRecord>;
  /** A number that grows with every change to any experiment (the prediction service polls it). */
  changeCounter(): Promise<number>;
  recordAnalysis(analysis: NewExperimentAnalysis, context: ChangeContext): Promise<StoredExperimentAnalysis>;
  /** Stored analyses, newest first; of one experiment when named. */
  analyses(experiment?: string): Promise<StoredExperimentAnalysis[]>;
}
