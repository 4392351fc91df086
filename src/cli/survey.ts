/** `mlcycle survey add|list|show|remove|link`: the literature survey (stage 4), references beside our runs. */
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { NewReference, ReferenceRecord, ReportedMetric } from '../store/reference-store.js';
import type { Workspace } from '../store/workspace.js';
import type { ComparisonRow } from '../survey/compare-references.js';
import { formatTable } from './output.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

interface AddOptions {
  from?: string;
  key?: string;
  title?: string;
  author?: string[];
  year?: string;
  venue?: string;
  url?: string;
  approach?: string;
  task?: string;
  dataset?: string;
  metric?: string[];
  notes?: string;
  tag?: string[];
}

function figure(value: number | undefined): string {
  return value === undefined ? '-' : Number(value.toPrecision(4)).toString();
}

function describeReference(reference: ReferenceRecord, rows: readonly ComparisonRow[]): string {
  const lines = [
    `${reference.key}: ${reference.title}`,
    `  ${reference.authors.join(', ')}${reference.year === undefined ? '' : ` (${reference.year})`}${reference.venue === undefined ? '' : `, ${reference.venue}`}`,
  ];
  if (reference.url !== undefined) lines.push(`  ${reference.url}`);
  lines.push(`  approach: ${reference.approach || '-'}`, `  task: ${reference.task || '-'}; dataset: ${reference.dataset || '-'}`);
  if (reference.tags.length > 0) lines.push(`  tags: ${reference.tags.join(', ')}`);
  if (reference.notes !== '') lines.push(`  notes: ${reference.notes}`);
  lines.push('', formatTable([['metric', 'reported', 'ours (best linked run)', 'run'], ...rows.map((row) => [row.metric, figure(row.reported), figure(row.ours), row.bestRun ?? '-'])]));
  if (reference.links.length > 0) lines.push('', `linked runs: ${reference.links.map((link) => `${link.runId} (${link.relation})`).join(', ')}`);
  return lines.join('\n');
}

async function linkedRunMetrics(workspace: Workspace, references: readonly ReferenceRecord[]): Promise<Map<string, Record<string, number>>> {
  const metrics = new Map<string, Record<string, number>>();
  for (const runId of new Set(references.flatMap((reference) => reference.links.map((link) => link.runId)))) {
    const run = await workspace.runs.findRun(runId);
    if (run !== undefined) metrics.set(runId, Object.fromEntries(Object.entries(run.metrics).map(([name, latest]) => [name, latest.value])));
  }
  return metrics;
}

async function referencesToAdd(cwd: string, options: AddOptions): Promise<NewReference[]> {
  const { importReferences, bibliographyFormat, parseReportedMetric } = await import('../survey/import-references.js');
  const reported: ReportedMetric[] = (options.metric ?? []).map(parseReportedMetric);
  const fields = {
    ...(options.approach === undefined ? {} : { approach: options.approach }),
    ...(options.task === undefined ? {} : { task: options.task }),
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
    ...(reported.length === 0 ? {} : { reported }),
    ...(options.notes === undefined ? {} : { notes: options.notes }),
    ...(options.tag === undefined ? {} : { tags: options.tag }),
  };
  if (options.from !== undefined) {
    const { readInputText } = await import('../input-file.js');
    const file = path.resolve(cwd, options.from);
    const format = bibliographyFormat(options.from);
    const references = await importReferences(await readInputText(file, 'bibliography', options.from), format, options.from, fields);
    if (options.key !== undefined) {
      if (references.length !== 1) throw new MlcycleError('invalid_input', `--key renames one entry, but ${options.from} has ${references.length}`);
      (references[0] as NewReference).key = options.key;
    }
    return references;
  }
  const missing = (['key', 'title'] as const).filter((name) => options[name] === undefined || options[name] === '');
  if (missing.length > 0) throw new MlcycleError('invalid_input', `survey add needs ${missing.map((name) => `--${name}`).join(' and ')} (or --from FILE)`);
  const year = options.year === undefined ? undefined : Number(options.year);
  if (year !== undefined && !Number.isInteger(year)) throw new MlcycleError('invalid_input', `--year ${options.year}: expected a whole number`);
  const reference: NewReference = {
    key: options.key as string,
    title: options.title as string,
    authors: options.author ?? [],
    approach: fields.approach ?? '',
    task: fields.task ?? '',
    dataset: fields.dataset ?? '',
    reported,
    notes: fields.notes ?? '',
    tags: fields.tags ?? [],
  };
  if (year !== undefined) reference.year = year;
  if (options.venue !== undefined) reference.venue = options.venue;
  if (options.url !== undefined) reference.url = options.url;
  return [reference];
}

export const registerSurvey: RegisterCommands = (program, action) => {
  const survey = program.command('survey').description('the literature survey: references, their reported results, and the runs that reproduce them');
  survey
    .command('add')
    .description('record a reference by fields, or import BibTeX, RIS or CSL-JSON entries with --from')
    .option('--from <file>', 'a .bib, .ris or .json (CSL-JSON) file: one or many entries')
    .option('--key <key>', 'citation key')
    .option('--title <title>', 'title')
    .option('--author <name...>', 'authors')
    .option('--year <year>', 'year')
    .option('--venue <venue>', 'journal, proceedings or publisher')
    .option('--url <url>', 'link or DOI address')
    .option('--approach <text>', 'the approach, e.g. "gradient boosting on route and schedule features"')
    .option('--task <text>', 'the task it reported on')
    .option('--dataset <text>', 'the dataset it reported on')
    .option('--metric <name=value...>', 'reported metrics, e.g. accuracy=0.85')
    .option('--notes <text>', 'notes')
    .option('--tag <tag...>', 'tags')
    .action(
      action(async (environment, _positional, command) => {
        const references = await referencesToAdd(environment.cwd, command.opts<AddOptions>());
        return withWorkspace(environment, async (workspace) => {
          const added = await workspace.references.add(references, environment.context);
          return { text: added.map((reference) => `added ${reference.key}: ${reference.title}`).join('\n'), json: added };
        });
      }),
    );
  survey
    .command('list')
    .description('every reference with its reported metrics beside the best linked run')
    .action(
      action(async (environment) => {
        const { compareReferences } = await import('../survey/compare-references.js');
        return withWorkspace(environment, async (workspace) => {
          const references = await workspace.references.list();
          const rows = compareReferences(references, await linkedRunMetrics(workspace, references));
          const titles = new Map(references.map((reference) => [reference.key, reference.title]));
          const unreported = references.filter((reference) => reference.reported.length === 0).map((reference) => [reference.key, '-', '-', '-', '-', '-']);
          const table = formatTable([['reference', 'approach', 'metric', 'reported', 'ours', 'run'], ...rows.map((row) => [row.reference, row.approach || '-', row.metric, figure(row.reported), figure(row.ours), row.bestRun ?? '-']), ...unreported]);
          return { text: references.length === 0 ? 'no references yet: mlcycle survey add' : table, json: { references, comparison: rows.map((row) => ({ ...row, title: titles.get(row.reference) })) } };
        });
      }),
    );
  survey
    .command('show')
    .description('one reference, its reported numbers beside ours')
    .argument('<key>', 'citation key')
    .action(
      action(async (environment, positional) => {
        const [key] = positional as [string];
        const { compareReferences } = await import('../survey/compare-references.js');
        return withWorkspace(environment, async (workspace) => {
          const reference = await workspace.references.find(key);
          if (reference === undefined) throw new MlcycleError('not_found', `no reference ${key}`);
          const rows = compareReferences([reference], await linkedRunMetrics(workspace, [reference]));
          return { text: describeReference(reference, rows), json: { reference, comparison: rows } };
        });
      }),
    );
  survey
    .command('remove')
    .description('remove a reference and its links (audited)')
    .argument('<key>', 'citation key')
    .action(
      action(async (environment, positional) => {
        const [key] = positional as [string];
        return withWorkspace(environment, async (workspace) => {
          await workspace.references.remove(key, environment.context);
          return { text: `removed ${key}`, json: { removed: key } };
        });
      }),
    );
  survey
    .command('link')
    .description('record that a run reproduces or adapts a reference')
    .argument('<key>', 'citation key')
    .argument('<run>', 'run id')
    .option('--adapts', 'the run adapts the approach rather than reproducing it')
    .action(
      action(async (environment, positional, command) => {
        const [key, run] = positional as [string, string];
        const relation = command.opts<{ adapts?: boolean }>().adapts === true ? 'adapts' : 'reproduces';
        return withWorkspace(environment, async (workspace) => {
          const reference = await workspace.references.link(key, run, relation, environment.context);
          return { text: `linked run ${run} to ${key} (${relation})`, json: reference };
        });
      }),
    );
};
