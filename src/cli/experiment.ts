/** `mlcycle experiment create|update|start|stop|list|status|analyze`: online A/B tests (stage 8). */
import path from 'node:path';
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { OnlineExperimentRecord } from '../store/online-experiment-store.js';
import { withAnalyticsEngine, workspaceSpec } from './analytics-option.js';
import { formatAnalysis } from './format-analysis.js';
import { parsePositiveInteger } from './option-parsers.js';
import { formatTable } from './output.js';
import type { CommandEnvironment, RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

async function readDefinition(environment: CommandEnvironment, file: string) {
  const [{ readInputText }, { parseExperimentDefinition }] = await Promise.all([import('../input-file.js'), import('../experiment/online-definition.js')]);
  let text: string;
  try {
    text = await readInputText(path.resolve(environment.cwd, file), 'experiment', file);
  } catch (error) {
    if (error instanceof MlcycleError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MlcycleError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${file}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`, { cause: error });
  }
  return parseExperimentDefinition(text, file);
}

function describe(record: OnlineExperimentRecord): string {
  const definition = record.definition as { endpoint?: string; arms?: { id: string; model?: string; weight: number; default?: { decision: number } }[]; coverage?: number; targeting?: string; namespace?: { id: string; start: number; end: number } };
  const arms = (definition.arms ?? []).map((arm) => `${arm.id} ${Math.round(arm.weight * 1000) / 10}% -> ${arm.model ?? `no model (decision ${arm.default?.decision ?? '?'})`}`);
  const lines = [
    `experiment ${record.name}: ${record.state}${record.phase > 0 ? `, phase ${record.phase}` : ''}`,
    `  endpoint: POST /api/v1/predict/${definition.endpoint ?? '?'} (requests with a unit id)`,
    `  arms: ${arms.join('; ')}`,
    `  coverage ${(definition.coverage ?? 1) * 100}%${definition.targeting === undefined ? '' : `, targeting: ${definition.targeting}`}${definition.namespace === undefined ? '' : `, namespace ${definition.namespace.id} [${definition.namespace.start}, ${definition.namespace.end})`}`,
  ];
  for (const phase of record.phases) lines.push(`  phase ${phase.phase}: ${phase.startedAt} to ${phase.endedAt ?? 'now'}`);
  return lines.join('\n');
}

export const registerExperiment: RegisterCommands = (program, action) => {
  const experiment = program.command('experiment').description('online A/B tests: arms mapped to model versions, assignment as GrowthBook hashes, analysis from the event log on the spec\'s success metrics');

  experiment
    .command('create <name>')
    .description('create an experiment from a YAML definition (endpoint, arms with models and weights, coverage, targeting, namespace, seed)')
    .requiredOption('--file <file>', 'the definition (YAML)')
    .action(
      action(async (environment, [name], command: Command) => {
        const definition = await readDefinition(environment, command.opts<{ file: string }>().file);
        return withWorkspace(environment, async (workspace) => {
          const { createExperiment } = await import('../experiment/online-experiments.js');
          const record = await createExperiment(workspace, String(name), definition, environment.context);
          return { text: `${describe(record)}\nstart it with: mlcycle experiment start ${record.name}`, json: record };
        });
      }),
    );

  experiment
    .command('update <name>')
    .description('replace the definition; a running experiment whose split changes starts a new phase')
    .requiredOption('--file <file>', 'the new definition (YAML)')
    .action(
      action(async (environment, [name], command: Command) => {
        const definition = await readDefinition(environment, command.opts<{ file: string }>().file);
        return withWorkspace(environment, async (workspace) => {
          const { updateExperiment } = await import('../experiment/online-experiments.js');
          const record = await updateExperiment(workspace, String(name), definition, environment.context);
          return { text: describe(record), json: record };
        });
      }),
    );

  for (const verb of ['start', 'stop'] as const) {
    experiment
      .command(`${verb} <name>`)
      .description(verb === 'start' ? 'start the experiment (a new phase): running prediction services route its units within a poll interval' : 'stop the experiment: its units go back to the endpoint\'s default model')
      .action(
        action(async (environment, [name]) =>
          withWorkspace(environment, async (workspace) => {
            const service = await import('../experiment/online-experiments.js');
            const record = verb === 'start' ? await service.startExperiment(workspace, String(name), environment.context) : await service.stopExperiment(workspace, String(name), environment.context);
            return { text: describe(record), json: record };
          }),
        ),
      );
  }

  experiment
    .command('list')
    .description('every experiment with its state and phase')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const records = await workspace.experiments.list();
          const analyses = await workspace.experiments.analyses();
          const rows = records.map((record) => {
            const latest = analyses.find((analysis) => analysis.experiment === record.name);
            return [record.name, record.state, String(record.phase), (record.definition as { endpoint?: string }).endpoint ?? '', latest === undefined ? '-' : latest.decision];
          });
          return { text: records.length === 0 ? 'no experiments yet: mlcycle experiment create NAME --file EXPERIMENT.yaml' : formatTable([['name', 'state', 'phase', 'endpoint', 'last decision'], ...rows]), json: { experiments: records } };
        }),
      ),
    );

  const analyzeCommand = (verb: 'status' | 'analyze') =>
    experiment
      .command(`${verb} <name>`)
      .description(verb === 'status' ? 'the experiment, and its results so far from the event log (sequential: valid at every look; not stored)' : 'analyse a phase from the event log with the spec\'s success metrics, store and audit the result')
      .option('--phase <n>', 'the phase to analyse (default: the current one)')
      .action(
        action(async (environment, [name], command: Command) => {
          const { phase } = command.opts<{ phase?: string }>();
          const phaseNumber = phase === undefined ? undefined : parsePositiveInteger(phase, '--phase');
          return withWorkspace(environment, async (workspace) => {
            const record = await workspace.experiments.find(String(name));
            if (record === undefined) throw new MlcycleError('not_found', `no experiment "${String(name)}" (mlcycle experiment list shows them)`);
            const spec = await workspaceSpec(workspace);
            const { analyzeStoredExperiment } = await import('../experiment/online-experiments.js');
            if (verb === 'status' && record.phase === 0) return { text: `${describe(record)}\nnot started: no results yet`, json: { experiment: record, analysis: null } };
            const analysis = await withAnalyticsEngine(async (engine) => {
              try {
                return await analyzeStoredExperiment(workspace, engine, spec, record.name, environment.context, { record: verb === 'analyze', ...(phaseNumber === undefined ? {} : { phase: phaseNumber }) });
              } catch (error) {
                if (verb === 'status' && error instanceof MlcycleError && error.message.includes('no exposures')) return undefined;
                throw error;
              }
            });
            if (analysis === undefined) return { text: `${describe(record)}\nno exposures in the event log yet`, json: { experiment: record, analysis: null } };
            const text = [describe(record), `exposed units: ${analysis.exposedUnits.toLocaleString('en-US')}${analysis.decided ? '; a decision is reached' : '; no decision yet'}`, '', formatAnalysis(analysis.analysis)];
            if (analysis.stored !== undefined) text.push('', `stored as analysis ${analysis.stored.id}`);
            return { text: text.join('\n'), json: { experiment: record, exposedUnits: analysis.exposedUnits, decided: analysis.decided, decision: analysis.decision, analysis: analysis.analysis, statistics: analysis.statistics, stored: analysis.stored?.id ?? null } };
          });
        }),
      );
  analyzeCommand('status');
  analyzeCommand('analyze');
};
