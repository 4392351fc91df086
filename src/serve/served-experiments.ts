/**
 * The running experiments a prediction service routes by. A request to `POST /api/v1/predict/ENDPOINT`
 * (a bare model name) that carries a unit id meets the running experiments on that endpoint, in name
 * order; the first that takes the unit (its targeting, namespace range, coverage and the global hash
 * decide, exactly as GrowthBook's SDK would) picks the arm, and the arm's model answers, or its stated
 * default decision when it is the "no model" arm. Assignment is a pure function of the unit id and the
 * definition, so it is sticky across requests, replicas and restarts. The store's change counter is polled,
 * so starting, stopping or changing an experiment reaches the service within one poll interval.
 */
import { compileAssignment, type Assignment } from '../experiment/assignment.js';
import { parseExpression } from '../experiment/expression.js';
import { checkExperimentDefinition, hashSeed, type ExperimentArm, type ExperimentDefinition } from '../experiment/online-definition.js';
import type { InputValue } from '../models/input-signature.js';
import type { OnlineExperimentStore } from '../store/online-experiment-store.js';

export interface RunningExperiment {
  name: string;
  phase: number;
  definition: ExperimentDefinition;
  arms: Map<string, ExperimentArm>;
  assign(unit: string, attributes: Readonly<Record<string, unknown>>): Assignment | undefined;
}

/** An arm that took a unit: which experiment and phase, and what answers. */
export interface Routed {
  experiment: RunningExperiment;
  arm: ExperimentArm;
}

/** Compiles a stored experiment for routing. */
export function compileExperiment(name: string, phase: number, definition: ExperimentDefinition): RunningExperiment {
  const assign = compileAssignment({
    key: name,
    seed: hashSeed(name, definition),
    arms: definition.arms.map((arm) => ({ id: arm.id, weight: arm.weight })),
    coverage: definition.coverage,
    ...(definition.namespace === undefined ? {} : { namespace: definition.namespace }),
    ...(definition.holdout === undefined ? {} : { holdout: definition.holdout }),
    ...(definition.targeting === undefined ? {} : { condition: parseExpression(definition.targeting, 'targeting') }),
  });
  return { name, phase, definition, arms: new Map(definition.arms.map((arm) => [arm.id, arm])), assign };
}

export class ServedExperiments {
  private byEndpoint = new Map<string, RunningExperiment[]>();
  private counter = -1;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly store: OnlineExperimentStore,
    private readonly logError: (error: unknown) => void,
  ) {}

  /** Loads the running experiments now, then polls for changes every `intervalMs`. */
  async follow(intervalMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      if (this.polling !== undefined) return;
      this.polling = this.refresh()
        .catch((error: unknown) => this.logError(error))
        .finally(() => (this.polling = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Reloads when anything changed since the last look. */
  async refresh(): Promise<void> {
    const counter = await this.store.changeCounter();
    if (counter === this.counter) return;
    const next = new Map<string, RunningExperiment[]>();
    for (const record of await this.store.list()) {
      if (record.state !== 'running') continue;
      try {
        const running = compileExperiment(record.name, record.phase, checkExperimentDefinition(record.definition, `experiment "${record.name}"`));
        const list = next.get(running.definition.endpoint) ?? [];
        list.push(running);
        next.set(running.definition.endpoint, list);
      } catch (error) {
        this.logError(error);
      }
    }
    for (const list of next.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.byEndpoint = next;
    this.counter = counter;
  }

  /** Whether any running experiment listens on this endpoint. */
  has(endpoint: string): boolean {
    return this.byEndpoint.has(endpoint);
  }

  /** The arm that takes this unit on this endpoint, if any experiment does. */
  route(endpoint: string, unit: string, attributes: Readonly<Record<string, InputValue | undefined>>): Routed | undefined {
    const experiments = this.byEndpoint.get(endpoint);
    if (experiments === undefined) return undefined;
    for (const experiment of experiments) {
      const assignment = experiment.assign(unit, attributes);
      if (assignment === undefined) continue;
      const arm = experiment.arms.get(assignment.arm);
      if (arm !== undefined) return { experiment, arm };
    }
    return undefined;
  }

  list(): { name: string; phase: number; endpoint: string }[] {
    return [...this.byEndpoint.values()].flat().map((experiment) => ({ name: experiment.name, phase: experiment.phase, endpoint: experiment.definition.endpoint }));
  }
}
