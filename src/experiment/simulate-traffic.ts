/**
 * The traffic simulator (`mlcycle simulate`). It replays rows of a dataset through a running prediction
 * service as real HTTP requests (one row a request, with its unit id and segment attribute), on a
 * compressed clock that follows the data's time column (or as fast as the connections allow), and turns
 * each served decision into business events from the customer-response model, which it posts to the
 * service's `/api/v1/events` in batches, each event timed after its decision. Seeded per unit, so the same
 * seed gives the same events.
 *
 * The in-process path (`simulateExperimentInProcess`) does the same without HTTP or the log, for the
 * thousands of seeded runs that check the statistics end to end: assignment by the same hash, decisions by
 * a function per arm, responses by the same model, per-unit sums into sufficient statistics, the stats engine.
 */
import { MlcycleError } from '../error.js';
import type { Random } from '../stats/random.js';
import { analysisInputSchema } from './analysis-input.js';
import { analyzeExperiment, type ExperimentAnalysis } from './analyze-experiment.js';
import type { AssignmentDefinition } from './assignment.js';
import { compileAssignment } from './assignment.js';
import { respond, unitRandom, type ResponseModel, type SimulatedEvent } from './response-model.js';

type Row = Record<string, unknown>;

export interface ReplayOptions {
  /** The service's base address, e.g. http://127.0.0.1:8080. */
  url: string;
  /** The endpoint requests go to (`/api/v1/predict/ENDPOINT`). */
  endpoint: string;
  rows: readonly Row[];
  /** The model's input columns to send (the rest of a row is for the response model). */
  features: readonly string[];
  model: ResponseModel;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** At most this many requests per second (default: as fast as the connections allow). */
  rate?: number;
  /** The data's time column and how much faster than real time it is replayed. */
  clock?: { column: string; speedup: number };
  /** Events per POST (default 1,000). */
  eventBatch?: number;
  headers?: Record<string, string>;
  onProgress?: (done: number) => void;
  /** What an error answer does: stop the replay (default), or count it and go on (a client that shows no alert). */
  onFailure?: 'throw' | 'count';
}

export interface ReplayResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  arms: Record<string, number>;
  /** Requests no experiment took (answered by the endpoint's default model). */
  unassigned: number;
  events: Record<string, number>;
  eventsSent: number;
  /** Requests answered with an error status (only with `onFailure: count`), by status code. */
  failed: Record<string, number>;
}

interface PredictAnswer {
  score?: number;
  decision?: number;
  arm?: string;
  error?: { message: string };
}

function unitOf(model: ResponseModel, row: Row, index: number): string {
  const value = model.unit === undefined ? undefined : row[model.unit];
  return value === undefined || value === null ? `unit-${index}` : String(value);
}

function scopeOf(model: ResponseModel, row: Row, answer: { score?: number; decision?: number; arm?: string }): Record<string, unknown> {
  const scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  Object.assign(scope, row);
  scope.row = row;
  scope.decision = answer.decision ?? 0;
  scope.score = answer.score ?? null;
  scope.arm = answer.arm ?? null;
  if (model.label !== undefined) scope.label = Number(row[model.label]);
  if (model.segment !== undefined) scope.segment = row[model.segment] ?? null;
  return scope;
}

function timeOf(row: Row, column: string, index: number): number {
  const value = row[column];
  const time = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(time)) throw new MlcycleError('invalid_input', `row ${index + 1}: the time column "${column}" holds ${JSON.stringify(value)}, not a time`);
  return time;
}

/** A fetch whose connection failure is the user's to fix (a service not running, a wrong address). */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new MlcycleError('usage', `cannot reach the prediction service at ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (error as Error).message} (is \`mlcycle serve\` running there?)`, { cause: error });
  }
}

/** Replays the rows through the service; resolves when every request is answered and every event posted. */
export async function replayTraffic(options: ReplayOptions): Promise<ReplayResult> {
  const { rows, model, url, endpoint } = options;
  const concurrency = options.concurrency ?? 16;
  const batchSize = options.eventBatch ?? 1000;
  const headers = { 'content-type': 'application/json', ...options.headers };
  const arms: Record<string, number> = Object.create(null) as Record<string, number>;
  const counts: Record<string, number> = Object.create(null) as Record<string, number>;
  let unassigned = 0;
  let eventsSent = 0;
  const failed: Record<string, number> = Object.create(null) as Record<string, number>;
  let pending: { unit: string; name: string; value: number; time: string }[] = [];
  const flushes: Promise<void>[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    flushes.push(
      (async () => {
        const response = await send(`${url}/api/v1/events`, { method: 'POST', headers, body: JSON.stringify(batch) });
        if (response.status !== 202) {
          const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
          throw new MlcycleError('invalid_input', `the service refused simulated events (${response.status}): ${body.error?.message ?? ''}`);
        }
        eventsSent += batch.length;
      })(),
    );
  };
  const startTime = options.clock === undefined ? 0 : timeOf(rows[0] ?? {}, options.clock.column, 0);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const index = next++;
      const row = rows[index] as Row;
      const due = options.clock !== undefined ? (timeOf(row, options.clock.column, index) - startTime) / options.clock.speedup : options.rate !== undefined ? (index / options.rate) * 1000 : 0;
      const wait = due - (performance.now() - started);
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const unit = unitOf(model, row, index);
      const features: Row = {};
      for (const name of options.features) features[name] = row[name] ?? null;
      const attributes = model.segment === undefined ? undefined : { [model.segment]: (row[model.segment] ?? null) as string | number | null };
      const response = await send(`${url}/api/v1/predict/${encodeURIComponent(endpoint)}`, { method: 'POST', headers, body: JSON.stringify({ unit, row: features, ...(attributes === undefined ? {} : { attributes }) }) });
      const answer = (await response.json()) as PredictAnswer;
      if (response.status !== 200) {
        if (options.onFailure !== 'count') throw new MlcycleError('invalid_input', `row ${index + 1}: the service answered ${response.status}: ${answer.error?.message ?? ''}`);
        failed[response.status] = (failed[response.status] ?? 0) + 1;
        done += 1;
        continue;
      }
      const answeredAt = Date.now();
      if (answer.arm === undefined) unassigned += 1;
      else arms[answer.arm] = (arms[answer.arm] ?? 0) + 1;
      const events: SimulatedEvent[] = respond(model, scopeOf(model, row, answer), unitRandom(model.seed, unit));
      const minuteMs = options.clock === undefined ? 0 : 60_000 / options.clock.speedup;
      for (const event of events) {
        counts[event.name] = (counts[event.name] ?? 0) + 1;
        // Never ahead of the service's clock: compressed delays land just after the decision.
        pending.push({ unit, name: event.name, value: event.value, time: new Date(answeredAt + Math.min(event.delayMinutes * minuteMs, 60_000)).toISOString() });
      }
      if (pending.length >= batchSize) flush();
      done += 1;
      if (done % 1000 === 0) options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, rows.length)) }, worker));
  flush();
  await Promise.all(flushes);
  const seconds = (performance.now() - started) / 1000;
  return { requests: rows.length, seconds, requestsPerSecond: rows.length / seconds, arms, unassigned, events: counts, eventsSent, failed };
}

/** A metric the in-process path aggregates: the events it counts per unit (ratio: numerator over denominator). */
export type InProcessMetric =
  | { id: string; kind: 'proportion' | 'mean'; event: string; useValue?: boolean; role?: 'primary' | 'secondary' | 'guardrail'; direction?: 'increase' | 'decrease'; nonInferiorityMargin?: number }
  | { id: string; kind: 'ratio'; numerator: string; denominator: string; role?: 'primary' | 'secondary' | 'guardrail'; direction?: 'increase' | 'decrease' };

export interface InProcessOptions {
  /** The population units are drawn from (with replacement), and how many units. */
  population: readonly Row[];
  units: number;
  assignment: AssignmentDefinition;
  /** Each arm's decision for a row (the arm's model, or its default). */
  decide: Record<string, (row: Row) => { score?: number; decision: number }>;
  model: ResponseModel;
  metrics: readonly InProcessMetric[];
  random: Random;
  /** Unit ids are `<prefix>-<i>`; a different prefix per run reshuffles assignment. */
  unitPrefix: string;
  control: string;
  /** Analyse after every `looks` units (sequential checks); by default once at the end. */
  lookEvery?: number;
  analysis?: Record<string, unknown>;
}

interface Sums {
  n: number;
  sum: number;
  sumSquares: number;
  successes: number;
  denominatorSum: number;
  denominatorSumSquares: number;
  product: number;
}

/** Runs one simulated experiment in process; returns the analysis at each look (the last is the final one). */
export function simulateExperimentInProcess(options: InProcessOptions): ExperimentAnalysis[] {
  const assign = compileAssignment(options.assignment);
  const arms = options.assignment.arms.map((arm) => arm.id);
  const sums = new Map<string, Sums[]>(arms.map((arm) => [arm, options.metrics.map(() => ({ n: 0, sum: 0, sumSquares: 0, successes: 0, denominatorSum: 0, denominatorSumSquares: 0, product: 0 }))]));
  const looks: ExperimentAnalysis[] = [];
  const every = options.lookEvery ?? options.units;
  for (let index = 0; index < options.units; index++) {
    const row = options.population[Math.floor(options.random() * options.population.length)] as Row;
    const unit = `${options.unitPrefix}-${index}`;
    const assignment = assign(unit, row);
    if (assignment !== undefined) {
      const decide = options.decide[assignment.arm];
      if (decide === undefined) throw new MlcycleError('invalid_input', `no decision function for arm "${assignment.arm}"`);
      const answer = decide(row);
      const events = respond(options.model, scopeOf(options.model, row, { ...answer, arm: assignment.arm }), unitRandom(options.model.seed, unit));
      const totals = new Map<string, { count: number; value: number }>();
      for (const event of events) {
        const total = totals.get(event.name) ?? { count: 0, value: 0 };
        total.count += 1;
        total.value += event.value;
        totals.set(event.name, total);
      }
      const armSums = sums.get(assignment.arm) as Sums[];
      options.metrics.forEach((metric, position) => {
        const target = armSums[position] as Sums;
        target.n += 1;
        if (metric.kind === 'ratio') {
          const numerator = totals.get(metric.numerator)?.count ?? 0;
          const denominator = totals.get(metric.denominator)?.count ?? 0;
          target.sum += numerator;
          target.sumSquares += numerator * numerator;
          target.denominatorSum += denominator;
          target.denominatorSumSquares += denominator * denominator;
          target.product += numerator * denominator;
        } else {
          const total = totals.get(metric.event);
          const value = metric.useValue === true ? (total?.value ?? 0) : (total?.count ?? 0);
          target.sum += value;
          target.sumSquares += value * value;
          if (value > 0) target.successes += 1;
        }
      });
    }
    if ((index + 1) % every === 0 || index + 1 === options.units) looks.push(analyse(options, arms, sums));
  }
  return looks;
}

function analyse(options: InProcessOptions, arms: string[], sums: Map<string, Sums[]>): ExperimentAnalysis {
  const input = analysisInputSchema.parse({
    name: options.unitPrefix,
    control: options.control,
    arms: options.assignment.arms.map((arm) => ({ id: arm.id, weight: arm.weight, units: (sums.get(arm.id) as Sums[])[0]?.n ?? 0 })),
    metrics: options.metrics.map((metric, position) => {
      const byArm = Object.fromEntries(
        arms.map((arm) => {
          const s = (sums.get(arm) as Sums[])[position] as Sums;
          if (metric.kind === 'proportion') return [arm, { n: s.n, successes: s.successes }];
          if (metric.kind === 'mean') return [arm, { n: s.n, sum: s.sum, sumSquares: s.sumSquares }];
          return [arm, { n: s.n, numeratorSum: s.sum, numeratorSumSquares: s.sumSquares, denominatorSum: s.denominatorSum, denominatorSumSquares: s.denominatorSumSquares, numeratorDenominatorSum: s.product }];
        }),
      );
      return {
        id: metric.id,
        kind: metric.kind,
        role: metric.role ?? 'primary',
        direction: metric.direction ?? 'increase',
        ...('nonInferiorityMargin' in metric && metric.nonInferiorityMargin !== undefined ? { nonInferiorityMargin: metric.nonInferiorityMargin } : {}),
        arms: byArm,
      };
    }),
    options: options.analysis ?? {},
  });
  return analyzeExperiment(input);
}
