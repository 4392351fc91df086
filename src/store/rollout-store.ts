/**
 * Rollouts: a candidate model version widened step by step (traffic shares, segments) against a baseline,
 * each step gated on the product's success metrics. The store keeps the plan (plain JSON; the rollout stage
 * validates it), the state, the current step and when it began, and every transition with the evidence that
 * caused it; each change is audited in its transaction.
 */
import type { ChangeContext } from './audit-log.js';

export const ROLLOUT_STATES = ['running', 'paused', 'completed', 'rolled-back'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export interface RolloutTransition {
  at: string;
  actor: string;
  /** started, advanced, paused, resumed, completed, rolled-back, waited. */
  action: string;
  fromStep: number;
  toStep: number;
  reason: string;
  /** The gate results behind the transition, as JSON. */
  evidence: unknown;
}

export interface RolloutRecord {
  name: string;
  plan: unknown;
  state: RolloutState;
  /** The current step, from 0. */
  step: number;
  stepStartedAt: string;
  history: RolloutTransition[];
  createdAt: string;
  updatedAt: string;
}

export interface RolloutStore {
  /** Records a new running rollout at step 0; a name in use is a conflict. */
  create(name: string, plan: unknown, context: ChangeContext): Promise<RolloutRecord>;
  find(name: string): Promise<RolloutRecord | undefined>;
  list(): Promise<RolloutRecord[]>;
  /**
   * Moves a rollout to a state and step, appending the transition; refused (conflict) when the rollout is no
   * longer at `expected` (state and step), so two controllers never both act on one observation.
   */
  transition(name: string, expected: { state: RolloutState; step: number }, next: { state: RolloutState; step: number }, transition: Omit<RolloutTransition, 'at' | 'actor' | 'fromStep' | 'toStep'>, context: ChangeContext): Promise<RolloutRecord>;
}
