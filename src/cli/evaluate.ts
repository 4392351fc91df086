/** `mlcycle evaluate MODEL DATASET`: offline evaluation against the baseline and the champion (stage 7). */
import { MlcycleError } from '../error.js';
import type { EvaluateModelsResult } from '../evaluate/evaluate-models.js';
import type { MetricEstimate } from '../evaluate/bootstrap-metrics.js';
import type { describeBusinessValue } from '../evaluate/evaluation-value.js';
import { withSpecContext } from './data-context.js';
import { formatTable } from './output.js';
import { checkOutputFile } from './output-path.js';
import type { RegisterCommands } from './program.js';
import { parseFraction, parsePositiveInteger } from './option-parsers.js';

function figure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) : Number(value.toPrecision(4)).toString();
}

function withInterval(estimate: MetricEstimate | undefined): string {
  return estimate === undefined ? '-' : `${figure(estimate.estimate)} [${figure(estimate.lower)}, ${figure(estimate.upper)}]`;
}

/** The evaluation as a person reads it in a terminal. */
export function formatEvaluation(result: EvaluateModelsResult, report: string | undefined, describeValue: typeof describeBusinessValue): string {
  const { evaluation } = result;
  const names = Object.keys(evaluation.models[0]?.metrics ?? {});
  const lines = [
    `${result.candidate} on ${result.dataset}: ${evaluation.rows.toLocaleString('en-US')} rows${result.unlabelled > 0 ? ` (${result.unlabelled} without a label left out)` : ''}; ${evaluation.bootstrap.method}`,
    '',
    formatTable([['metric', ...evaluation.models.map((model) => `${model.role}: ${model.name}`)], ...names.map((name) => [name, ...evaluation.models.map((model) => withInterval(model.metrics[name]))])]),
  ];
  const comparison = evaluation.comparison;
  if (comparison !== undefined) {
    lines.push('', `challenger minus champion (${comparison.champion}), paired bootstrap:`);
    lines.push(formatTable([['metric', 'difference [interval]'], ...Object.entries(comparison.differences).map(([name, difference]) => [name, withInterval(difference)])]));
    const delong = comparison.delong;
    if (delong !== undefined) lines.push(delong.degenerate ?? `DeLong's test on ROC AUC: difference ${figure(delong.difference)}, z ${figure(delong.z)}, p ${figure(delong.pValue)}`);
  }
  for (const column of evaluation.slices) {
    lines.push('', `by ${column.column} (${evaluation.primaryMetric}; flags: one-sided bootstrap, Holm-adjusted, alpha ${evaluation.alpha}):`);
    const rows = column.segments.map((segment) => [
      segment.value,
      segment.rows.toLocaleString('en-US'),
      withInterval(segment.metrics[evaluation.primaryMetric]),
      `${figure(segment.versusOverall.difference)}${segment.versusOverall.worse ? ' WORSE' : ''}`,
      segment.versusChampion === undefined ? '-' : `${figure(segment.versusChampion.difference)}${segment.versusChampion.worse ? ' WORSE' : ''}`,
    ]);
    lines.push(formatTable([['segment', 'rows', evaluation.primaryMetric, 'vs overall', 'vs champion'], ...rows]));
    if (column.tooSmall.length > 0) lines.push(`too few rows: ${column.tooSmall.map((segment) => `${segment.value} (${segment.rows})`).join(', ')}`);
  }
  if (evaluation.businessValue !== undefined) {
    lines.push('', 'business value (the spec\'s value model; the best threshold is chosen on these rows, so its value is optimistic):');
    for (const value of evaluation.businessValue) lines.push(`  ${describeValue(value)}`);
  }
  if (result.skippedSegments.length > 0) lines.push('', `spec segments not in ${result.dataset}: ${result.skippedSegments.join(', ')}`);
  lines.push('', `verdict: ${evaluation.verdict.summary}`);
  for (const check of evaluation.verdict.checks) lines.push(`  ${check.passed ? 'pass' : 'FAIL'} ${check.check}: ${check.detail}`);
  for (const warning of evaluation.verdict.warnings) lines.push(`  warning: ${warning}`);
  lines.push('', `${result.record === undefined ? 'not stored' : `stored as evaluation ${result.record.id}`}${report === undefined ? '' : `; report: ${report}`}`);
  return lines.join('\n');
}

export const registerEvaluate: RegisterCommands = (program, action) => {
  program
    .command('evaluate')
    .description('evaluate a model version on a dataset version: metrics with intervals, slices, champion vs challenger, a verdict and an HTML report')
    .argument('<model>', 'NAME, NAME@ALIAS, NAME@VERSION or models:/...')
    .argument('<dataset>', 'NAME or NAME@VERSION')
    .option('--compare <model>', 'the champion to compare with, e.g. NAME@champion')
    .option('--by <column...>', 'columns to slice by besides the spec\'s segments')
    .option('--query <column>', 'ranking: the column that groups rows into queries')
    .option('--out <file>', 'where to write the HTML report (default: .mlcycle/reports/evaluation-<id>.html when stored)')
    .option('--resamples <n>', 'bootstrap resamples', '1000')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--level <p>', 'confidence level of the intervals', '0.95')
    .option('--threshold <p>', 'binary: the decision threshold of accuracy, precision, recall, F1', '0.5')
    .option('--replay <dataset>', 'binary: replay a later dataset version under each model\'s decisions at the value-maximising threshold chosen here')
    .option('--no-store', 'do not store the evaluation in the workspace')
    .action(
      action(async (environment, positional, command) => {
        const [model, dataset] = positional as [string, string];
        const options = command.opts<{ compare?: string; by?: string[]; query?: string; out?: string; replay?: string; resamples: string; seed: string; level: string; threshold: string; store: boolean }>();
        const resamples = parsePositiveInteger(options.resamples, '--resamples');
        const seed = parsePositiveInteger(options.seed, '--seed');
        const level = parseFraction(options.level, '--level');
        const threshold = parseFraction(options.threshold, '--threshold');
        const out = options.out === undefined ? undefined : await checkOutputFile(environment.cwd, options.out, '--out');
        const [{ describeReplay }, { evaluateAndReplay }, { describeBusinessValue }] = await Promise.all([
          import('../evaluate/replay-period.js'),
          import('../evaluate/evaluate-and-replay.js'),
          import('../evaluate/evaluation-value.js'),
        ]);
        return withSpecContext(environment, async ({ workspace, engine, spec }) => {
          if (spec === undefined) throw new MlcycleError('invalid_input', `no mlcycle.yaml in ${workspace.root}: the evaluation reads the task, target, segments and targets from it`);
          const { evaluated: result, report, replayed } = await evaluateAndReplay({
            workspace,
            engine,
            spec,
            candidate: model,
            dataset,
            ...(options.compare === undefined ? {} : { champion: options.compare }),
            ...(options.by === undefined ? {} : { by: options.by }),
            ...(options.query === undefined ? {} : { query: options.query }),
            bootstrap: { resamples, seed, level },
            settings: { threshold },
            store: options.store,
            context: environment.context,
            ...(out === undefined ? {} : { reportFile: out }),
            ...(options.replay === undefined ? {} : { replay: options.replay }),
          });
          const replayLines = replayed !== undefined ? describeReplay(replayed, result.dataset) : options.replay === undefined ? [] : [`replay of ${options.replay}: no model has a threshold that meets the value model's guardrails, so none acts`];
          const text = [formatEvaluation(result, report, describeBusinessValue), ...replayLines].join('\n');
          // Not ready is a failed gate: exit code 1, as a failed validation.
          return { text, json: { ...result, html: undefined, report: report ?? null, ...(replayed === undefined ? {} : { replay: replayed }) }, exitCode: result.evaluation.verdict.ready ? 0 : 1 };
        });
      }),
    );
};
