/** A model card as Markdown: headings per section, tables for metrics, data and params. */
import type { ModelCard } from './model-card.js';

/** Escapes what would break a table cell or start markup. */
function cell(value: unknown): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? formatValue(value) : JSON.stringify(value);
  return (text ?? '').replaceAll('\\', '\\\\').replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function formatValue(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(6))) : String(value);
}

function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function problemSection(problem: ModelCard['problem']): string[] {
  if ('missing' in problem) return ['## Problem', '', `Not described: ${problem.missing}.`];
  const lines = ['## Problem', '', `**Customer problem.** ${problem.customerProblem.trim()}`, '', `**Business problem.** ${problem.businessProblem.trim()}`, ''];
  const target = problem.target;
  lines.push(`**Task.** ${problem.task}, predicting \`${target.column}\`${target.definition === undefined ? '' : ` (defined as \`${target.definition}\`)`}${target.positive === undefined ? '' : `, positive value ${JSON.stringify(target.positive)}`}.`);
  if (problem.modelOwner !== undefined) lines.push('', `**Owner.** ${problem.modelOwner.owner} (on call: ${problem.modelOwner.onCall})`);
  if (problem.successMetrics.length > 0) {
    lines.push('', '### Success metrics', '');
    lines.push(...table(['metric', 'role', 'kind', 'direction', 'minimum detectable effect', 'description'], problem.successMetrics.map((metric) => [metric.id, metric.role, metric.kind, metric.direction, metric.minimumDetectableEffect.relative !== undefined ? `${metric.minimumDetectableEffect.relative} relative` : `${metric.minimumDetectableEffect.absolute ?? '-'} absolute`, metric.description])));
  }
  if (problem.mlMetrics.length > 0) {
    lines.push('', '### ML metric targets', '');
    lines.push(...table(['metric', 'target', 'this run'], problem.mlMetrics.map((metric) => [`${metric.metric}${metric.k === undefined ? '' : `@${metric.k}`}`, metric.target, metric.achieved === undefined ? 'not logged' : metric.loggedAs === undefined ? metric.achieved : `${metric.achieved} (${metric.loggedAs})`])));
  }
  if (problem.valueModel !== undefined) {
    lines.push('', '### Value model', '', ...Object.entries(problem.valueModel).map(([key, value]) => `- ${key}: ${cell(value)}`));
  }
  return lines;
}

/** Renders a card as a Markdown document. */
export function formatModelCardMarkdown(card: ModelCard): string {
  const lines = [`# Model card: ${card.model} version ${card.version}`, ''];
  lines.push(`\`${card.uri}\`${card.aliases.length === 0 ? '' : `, aliases ${card.aliases.map((alias) => `\`@${alias}\``).join(', ')}`}. Registered ${card.createdAt} by ${card.createdBy}.`);
  if (card.description !== '') lines.push('', card.description);
  if (Object.keys(card.tags).length > 0) lines.push('', ...Object.entries(card.tags).map(([key, value]) => `- tag \`${key}\`: ${cell(value)}`));
  lines.push('', ...problemSection(card.problem));

  lines.push('', '## Training data', '');
  if (card.trainingData.length === 0) lines.push('The run logged no dataset inputs.');
  else {
    lines.push(...table(['use', 'dataset', 'rows', 'columns', 'digest', 'comes from'], card.trainingData.map((input) => [
      input.context || '-',
      input.ref ?? input.dataset,
      input.rows ?? '-',
      input.columns ?? '-',
      input.digest.slice(0, 12),
      input.sourcePath ?? (input.parents === undefined ? (input.externalSource ?? 'not recorded') : `derived from ${input.parents.join(', ')}`),
    ])));
  }

  const { run } = card;
  lines.push('', '## Training run', '');
  lines.push(`Run \`${run.id}\` "${run.name}" in experiment ${run.experiment}: ${run.status}, started ${isoTime(run.startTime)}${run.endTime === undefined ? '' : `, ended ${isoTime(run.endTime)}`}, by ${run.userId}. The model is its artifact \`${run.artifact}\`.`);
  if (run.gitCommit !== undefined) lines.push('', `Code: git commit \`${run.gitCommit}\`.`);
  if (run.command !== undefined) lines.push('', `Command: \`${run.command.replaceAll('`', "'")}\``);
  const params = Object.entries(run.params);
  if (params.length > 0) lines.push('', '### Parameters', '', ...table(['param', 'value'], params));
  const metrics = Object.entries(run.metrics);
  if (metrics.length > 0) lines.push('', '### Metrics (latest values)', '', ...table(['metric', 'value'], metrics));

  lines.push('', '## Offline evaluations', '');
  if (card.evaluations.length === 0) lines.push('None stored for this version (`mlcycle evaluate`).');
  else {
    lines.push(...table(['evaluated on', 'against', 'verdict', 'summary', 'when'], card.evaluations.map((evaluation) => [
      evaluation.dataset,
      evaluation.champion === undefined ? '-' : `models:/${evaluation.champion.model}/${evaluation.champion.version}`,
      evaluation.ready ? 'ready' : 'not ready',
      evaluation.summary,
      evaluation.createdAt,
    ])));
  }
  lines.push('', `_Generated by mlcycle at ${card.generatedAt} from the workspace's spec, dataset versions, run and registry._`, '');
  return lines.join('\n');
}
