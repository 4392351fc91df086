/**
 * The experiment stage's service functions behind `mlcycle experiment ...` and `/api/v1/experiments`:
 * create, start, stop, update, list, analyse. Each checks what it can before anything is stored: every
 * arm's model resolves in the registry, and no two live experiments on one namespace overlap in range (they
 * could share units otherwise). A change to a running experiment that reassigns units (arms, weights,
 * targeting, seed) starts a new phase; raising coverage does not, since it reassigns none.
 */
import { MlcycleError } from '../error.js';
import type { ProblemSpec } from '../problem/spec-schema.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { ModelRegistry } from '../store/model-registry.js';
import type { OnlineExperimentRecord, StoredExperimentAnalysis } from '../store/online-experiment-store.js';
import type { Workspace } from '../store/workspace.js';
import { analyzeOnlineExperiment, type OnlineAnalysis } from './online-analysis.js';
import { changesAssignment, checkExperimentDefinition, type ExperimentDefinition } from './online-definition.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

type ExperimentWorkspace = Pick<Workspace, 'experiments' | 'registry' | 'events'>;

export function checkExperimentName(name: string): string {
  if (!NAME.test(name)) throw new MlcycleError('invalid_input', `experiment name "${name.slice(0, 80)}": use letters, digits, _, . and - (at most 128), starting with a letter or _`, { issues: [{ path: 'name', message: 'invalid name' }] });
  return name;
}

/** The stored definition, validated again (it was valid when stored). */
export function definitionOf(record: OnlineExperimentRecord): ExperimentDefinition {
  return checkExperimentDefinition(record.definition, `experiment "${record.name}"`);
}

/** Every arm's model must resolve now: NAME, NAME@ALIAS or NAME/VERSION. */
export async function checkArmModels(registry: ModelRegistry, definition: ExperimentDefinition): Promise<void> {
  const problems: { path: string; message: string }[] = [];
  for (const [index, arm] of definition.arms.entries()) {
    if (arm.model === undefined) continue;
    const problem = await modelProblem(registry, arm.model);
    if (problem !== undefined) problems.push({ path: `arms[${index}].model`, message: problem });
  }
  if (definition.shadow !== undefined) {
    const problem = await modelProblem(registry, definition.shadow);
    if (problem !== undefined) problems.push({ path: 'shadow', message: problem });
  }
  if (problems.length > 0) {
    throw new MlcycleError('invalid_input', `the experiment names models the registry does not have: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`, { issues: problems });
  }
}

async function modelProblem(registry: ModelRegistry, ref: string): Promise<string | undefined> {
  const slash = ref.lastIndexOf('/');
  const at = ref.lastIndexOf('@');
  const name = slash > 0 && /^\d+$/.test(ref.slice(slash + 1)) ? ref.slice(0, slash) : at > 0 ? ref.slice(0, at) : ref;
  const model = await registry.findModel(name);
  if (model === undefined) return `no registered model "${name}"`;
  if (slash > 0 && name !== ref && at < 0) {
    const version = Number(ref.slice(slash + 1));
    if ((await registry.findVersion(name, version)) === undefined) return `model "${name}" has no version ${version}`;
  } else if (at > 0) {
    const alias = ref.slice(at + 1);
    if (!Object.hasOwn(model.aliases, alias)) return `model "${name}" has no alias @${alias} (aliases: ${Object.keys(model.aliases).join(', ') || 'none'})`;
  } else if (model.latestVersion === undefined) return `model "${name}" has no version yet`;
  return undefined;
}

/** Live experiments (draft or running) on the same namespace must not overlap in range. */
async function checkNamespace(workspace: ExperimentWorkspace, name: string, definition: ExperimentDefinition): Promise<void> {
  const namespace = definition.namespace;
  if (namespace === undefined) return;
  for (const other of await workspace.experiments.list()) {
    if (other.name === name || other.state === 'stopped') continue;
    const theirs = definitionOf(other).namespace;
    if (theirs === undefined || theirs.id !== namespace.id) continue;
    if (namespace.start < theirs.end && theirs.start < namespace.end) {
      throw new MlcycleError(
        'invalid_input',
        `namespace "${namespace.id}": the range [${namespace.start}, ${namespace.end}) overlaps experiment "${other.name}" ([${theirs.start}, ${theirs.end})); experiments on one namespace need disjoint ranges`,
        { issues: [{ path: 'namespace', message: `overlaps experiment "${other.name}"` }] },
      );
    }
  }
}

export async function createExperiment(workspace: ExperimentWorkspace, name: string, definition: ExperimentDefinition, context: ChangeContext): Promise<OnlineExperimentRecord> {
  checkExperimentName(name);
  await checkArmModels(workspace.registry, definition);
  await checkNamespace(workspace, name, definition);
  return workspace.experiments.create(name, definition, context);
}

async function existing(workspace: ExperimentWorkspace, name: string): Promise<OnlineExperimentRecord> {
  const record = await workspace.experiments.find(name);
  if (record === undefined) throw new MlcycleError('not_found', `no experiment "${name}" (mlcycle experiment list shows them)`);
  return record;
}

export async function startExperiment(workspace: ExperimentWorkspace, name: string, context: ChangeContext): Promise<OnlineExperimentRecord> {
  const definition = definitionOf(await existing(workspace, name));
  await checkArmModels(workspace.registry, definition);
  await checkNamespace(workspace, name, definition);
  return workspace.experiments.start(name, context);
}

export async function stopExperiment(workspace: ExperimentWorkspace, name: string, context: ChangeContext): Promise<OnlineExperimentRecord> {
  await existing(workspace, name);
  return workspace.experiments.stop(name, context);
}

export async function updateExperiment(workspace: ExperimentWorkspace, name: string, definition: ExperimentDefinition, context: ChangeContext): Promise<OnlineExperimentRecord> {
  const before = definitionOf(await existing(workspace, name));
  await checkArmModels(workspace.registry, definition);
  await checkNamespace(workspace, name, definition);
  if (definition.coverage < before.coverage && !changesAssignment(before, definition)) {
    // Lowering coverage drops units already assigned: their outcomes would mix two populations.
    return workspace.experiments.update(name, definition, true, context);
  }
  return workspace.experiments.update(name, definition, changesAssignment(before, definition), context);
}

export interface AnalyzeOptions {
  /** The phase to analyse; the current one by default. */
  phase?: number;
  /** Store the analysis (and audit it); default true. */
  record?: boolean;
  until?: Date;
}

export interface StoredOnlineAnalysis extends OnlineAnalysis {
  decided: boolean;
  decision: string;
  summary: string;
  stored?: StoredExperimentAnalysis;
}

/** Analyses a phase from the event log with the spec's metrics; stores the result unless told not to. */
export async function analyzeStoredExperiment(
  workspace: ExperimentWorkspace,
  engine: AnalyticsEngine,
  spec: Pick<ProblemSpec, 'successMetrics' | 'segments' | 'randomizationUnit'>,
  name: string,
  context: ChangeContext,
  options: AnalyzeOptions = {},
): Promise<StoredOnlineAnalysis> {
  const record = await existing(workspace, name);
  const phase = options.phase ?? record.phase;
  const phaseRecord = record.phases.find((entry) => entry.phase === phase);
  if (phaseRecord === undefined) {
    throw new MlcycleError('invalid_input', record.phase === 0 ? `experiment "${name}" has not started: nothing to analyse (mlcycle experiment start ${name})` : `experiment "${name}" has no phase ${phase} (phases 1 to ${record.phase})`);
  }
  const definition = checkExperimentDefinition(phaseRecord.definition, `experiment "${name}" phase ${phase}`);
  const result = await analyzeOnlineExperiment(engine, workspace.events, { name, phase, definition, spec, ...(options.until === undefined ? {} : { until: options.until }) });
  const verdicts = result.analysis.decisions;
  const decided = verdicts.length > 0 && verdicts.every((verdict) => verdict.decision === 'ship' || verdict.decision === 'dont-ship');
  const decision = verdicts.map((verdict) => `${verdict.arm}: ${verdict.decision}`).join(', ');
  const summary = verdicts.map((verdict) => `${verdict.arm}: ${verdict.decision}. ${verdict.reasons[0] ?? ''}`).join(' ');
  const out: StoredOnlineAnalysis = { ...result, decided, decision, summary };
  if (options.record !== false) {
    out.stored = await workspace.experiments.recordAnalysis({ experiment: name, phase, decision, summary, decided, result: { exposedUnits: result.exposedUnits, statistics: result.statistics, analysis: result.analysis } }, context);
  }
  return out;
}
