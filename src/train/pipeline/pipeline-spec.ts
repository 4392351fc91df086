/**
 * Phase 1 of a pipeline, the spec: the shape of a pipeline file (or the `pipeline:` section of
 * `mlcycle.yaml`) as the author writes it. Learner parameters are checked against the chosen learner's
 * schema (learner-params.ts) by the normaliser, so that their problems name the learner.
 *
 * ```yaml
 * name: delay-gbdt
 * data: { training: flights-train@1, validation: flights-validation@1 }   # or:
 * # data: { dataset: bank@1, split: { by: stratified, validation: 0.2, seed: 7 } }
 * label: delay > 15                       # SQL; default: the spec's target
 * features:
 *   - { name: hour, type: numeric }
 *   - { name: weekday, type: numeric, sql: dayofweek(date) }
 * train: { learner: gbdt, params: { rounds: 100, numLeaves: 63 } }
 * evaluate: { metrics: [roc_auc, log_loss] }   # default: the spec's mlMetrics
 * ```
 */
import { z } from 'zod';
import { LEARNERS } from './learner-params.js';

const text = z.string().trim().min(1, 'must not be empty');
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'use letters, digits, _, . and - (starting with a letter or _)');

export const FeatureSpecSchema = z.strictObject({
  name,
  type: z.enum(['numeric', 'categorical']),
  /** SQL over the dataset's columns; default: the column of the same name. */
  sql: text.optional(),
});

export const SplitSpecSchema = z.strictObject({
  by: z.enum(['random', 'stratified', 'group', 'time']),
  /** Share of rows for validation (random, stratified, group). */
  validation: z.number().gt(0).lt(1).optional(),
  /** Time splits: the instant validation begins (ISO 8601). */
  cut: text.optional(),
  /** The group column (group), label column (stratified) or time column (time). */
  column: text.optional(),
  seed: z.number().int().min(0).default(0),
});

export const DataSpecSchema = z.strictObject({
  /** An existing pair of versions, `NAME[@VERSION]` each. */
  training: text.optional(),
  validation: text.optional(),
  /** One version to split into training and validation parts. */
  dataset: text.optional(),
  split: SplitSpecSchema.optional(),
});

export const TrainSpecSchema = z.strictObject({
  learner: z.enum(LEARNERS),
  params: z.record(z.string(), z.unknown()).default({}),
  /** Learn from every n-th training row only (1: all rows). */
  sampleStride: z.number().int().min(1).default(1),
});

export const EvaluateSpecSchema = z.strictObject({
  metrics: z.array(text).optional(),
});

export const PipelineSpecSchema = z.strictObject({
  version: z.literal(1).default(1),
  name: name.optional(),
  description: text.optional(),
  /** The experiment the runs go to; default: the problem spec's name. */
  experiment: text.optional(),
  data: DataSpecSchema,
  /** SQL computing the label from a row; default: the spec's target. */
  label: text.optional(),
  features: z.array(FeatureSpecSchema).min(1, 'name at least one feature'),
  train: TrainSpecSchema,
  evaluate: EvaluateSpecSchema.prefault({}),
});

export type PipelineSpec = z.output<typeof PipelineSpecSchema>;
export type FeatureSpec = z.output<typeof FeatureSpecSchema>;
export type SplitSpec = z.output<typeof SplitSpecSchema>;
