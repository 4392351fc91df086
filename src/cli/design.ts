/** `mlcycle design new|show|list|decide`: the design document of an iteration (stage 5). */
import path from 'node:path';
import { MlcycleError } from '../error.js';
import type { DesignDocument } from '../design/design-document.js';
import type { MetricBaseline } from '../design/test-size.js';
import type { RegisterCommands } from './program.js';
import { withWorkspace } from './workspace-option.js';

function parseBaseline(raw: { baselineRate?: string; baselineMean?: string; baselineSd?: string }): MetricBaseline | undefined {
  if (raw.baselineRate !== undefined) {
    if (raw.baselineMean !== undefined || raw.baselineSd !== undefined) throw new MlcycleError('usage', '--baseline-rate: give a rate or a mean with its standard deviation, not both');
    const rate = Number(raw.baselineRate);
    if (!(rate > 0 && rate < 1)) throw new MlcycleError('usage', `--baseline-rate: expected a number between 0 and 1, got "${raw.baselineRate}"`);
    return { kind: 'rate', rate };
  }
  if (raw.baselineMean === undefined && raw.baselineSd === undefined) return undefined;
  if (raw.baselineMean === undefined || raw.baselineSd === undefined) throw new MlcycleError('usage', '--baseline-mean and --baseline-sd go together');
  const mean = Number(raw.baselineMean);
  const standardDeviation = Number(raw.baselineSd);
  if (!Number.isFinite(mean)) throw new MlcycleError('usage', `--baseline-mean: expected a number, got "${raw.baselineMean}"`);
  if (!(standardDeviation > 0 && Number.isFinite(standardDeviation))) throw new MlcycleError('usage', `--baseline-sd: expected a positive number, got "${raw.baselineSd}"`);
  return { kind: 'mean', mean, standardDeviation };
}

export const registerDesign: RegisterCommands = (program, action) => {
  const design = program.command('design').description('design documents: candidates, estimates, feasibility evidence and the decision');
  design
    .command('new')
    .description('store a design document (YAML or JSON) as the next version of its name; pipelines and runs must exist')
    .requiredOption('--file <file>', 'the design as YAML or JSON')
    .action(
      action(async (environment, _positional, command) => {
        const { file } = command.opts<{ file: string }>();
        const [{ readInputText }, { createDesign }] = await Promise.all([import('../input-file.js'), import('../design/create-design.js')]);
        const text = await readInputText(path.resolve(environment.cwd, file), 'design', file).catch((error: unknown) => {
          if (error instanceof MlcycleError) throw error;
          const code = (error as NodeJS.ErrnoException).code;
          throw new MlcycleError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${file}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`, { cause: error });
        });
        return withWorkspace(environment, async (workspace) => {
          const record = await createDesign(workspace, text, file, environment.context);
          return { text: `stored design ${record.name} version ${record.version}`, json: record };
        });
      }),
    );
  design
    .command('feasibility')
    .description('measure each candidate on the workspace data: learning curve (with 2x/5x/10x extrapolation), training cost, and the online test size for the spec\'s primary metric; stored as the next version')
    .argument('<name>', 'design name')
    .option('--candidate <name>', 'only this candidate (default: every candidate)')
    .option('--rows <n>', 'measure on a seeded sample of at most N training rows (the curve\'s 100%)', '50000')
    .option('--validation-rows <n>', 'score each fit on at most N validation rows (every k-th row)', '50000')
    .option('--seeds <n>', 'seeds per training size', '3')
    .requiredOption('--daily-units <n>', 'units entering the online test per day, both arms together')
    .option('--baseline-rate <rate>', 'the primary metric today, a proportion in (0, 1) (default: estimated from the training data when the metric is a column there, else from the event log when it is an event)')
    .option('--baseline-mean <mean>', 'the primary metric today, a mean (with --baseline-sd)')
    .option('--baseline-sd <sd>', 'the standard deviation of the primary metric per unit (with --baseline-mean)')
    .option('--alpha <alpha>', 'significance level of the online test', '0.05')
    .option('--power <power>', 'power of the online test', '0.8')
    .action(
      action(async (environment, positional, command) => {
        const [name] = positional as [string];
        const raw = command.opts<{ candidate?: string; rows: string; validationRows: string; seeds: string; dailyUnits: string; baselineRate?: string; baselineMean?: string; baselineSd?: string; alpha: string; power: string }>();
        const { parsePositiveInteger, parseFraction } = await import('./option-parsers.js');
        const dailyUnits = Number(raw.dailyUnits);
        if (!(Number.isFinite(dailyUnits) && dailyUnits > 0)) throw new MlcycleError('usage', `--daily-units: expected a positive number, got "${raw.dailyUnits}"`);
        const seeds = parsePositiveInteger(raw.seeds, '--seeds');
        const baseline = parseBaseline(raw);
        return withWorkspace(environment, async (workspace) => {
          const [{ assessFeasibility }, { withAnalyticsEngine, workspaceSpec }] = await Promise.all([import('../design/assess-feasibility.js'), import('./analytics-option.js')]);
          const spec = await workspaceSpec(workspace);
          const lines: string[] = [];
          const result = await withAnalyticsEngine((engine) =>
            assessFeasibility({
              workspace,
              engine,
              spec,
              design: name,
              ...(raw.candidate === undefined ? {} : { candidate: raw.candidate }),
              measure: { rows: parsePositiveInteger(raw.rows, '--rows'), validationRows: parsePositiveInteger(raw.validationRows, '--validation-rows'), seeds: Array.from({ length: seeds }, (_, index) => index + 1) },
              test: { dailyUnits, alpha: parseFraction(raw.alpha, '--alpha'), power: parseFraction(raw.power, '--power'), ...(baseline === undefined ? {} : { baseline }) },
              context: environment.context,
              log: (line) => lines.push(line),
            }),
          );
          const size = result.assessed[0]?.feasibility?.testSize;
          if (size !== undefined) {
            lines.push(`online test: ${size.fixedHorizon.controlUnits.toLocaleString('en-US')} units per arm, ${size.fixedHorizon.days} days fixed-horizon; ${size.sequential.controlUnits.toLocaleString('en-US')} per arm, ${size.sequential.days} days sequential`);
          }
          lines.push(`stored design ${result.record.name} version ${result.record.version}`);
          return { text: lines.join('\n'), json: result.record };
        });
      }),
    );
  design
    .command('show')
    .description('a design as Markdown, with its feasibility evidence: NAME for the latest version, NAME@N for version N')
    .argument('<name>', 'NAME or NAME@VERSION')
    .option('--out <file>', 'also write the design as one offline HTML page, a learning-curve chart per assessed candidate')
    .action(
      action(async (environment, positional, command) => {
        const [ref] = positional as [string];
        const { out } = command.opts<{ out?: string }>();
        const at = ref.lastIndexOf('@');
        const name = at < 0 ? ref : ref.slice(0, at);
        const version = at < 0 ? undefined : Number(ref.slice(at + 1));
        if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new MlcycleError('invalid_input', `${ref}: expected NAME@VERSION with a whole version number`);
        const [{ checkOutputFile, writeOutputFile }, { designHtml, designMarkdown }] = await Promise.all([import('./output-path.js'), import('../design/render-design.js')]);
        const file = out === undefined ? undefined : await checkOutputFile(environment.cwd, out, '--out');
        return withWorkspace(environment, async (workspace) => {
          const record = await workspace.designs.find(name, version);
          if (record === undefined) throw new MlcycleError('not_found', `no design ${name}${version === undefined ? '' : ` version ${version}`}`);
          const document = record.document as DesignDocument;
          let text = designMarkdown(document, record.version);
          if (file !== undefined) {
            await writeOutputFile(file, await designHtml(document, record.version));
            text += `\n\nreport: ${file}`;
          }
          return { text, json: file === undefined ? record : { ...record, report: file } };
        });
      }),
    );
  design
    .command('list')
    .description('the latest version of every design')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const records = await workspace.designs.list();
          const text = records.map((record) => `${record.name} v${record.version}: ${(record.document as DesignDocument).decision?.candidate ?? 'not decided'}`).join('\n');
          return { text: text === '' ? 'no designs yet: mlcycle design new --file design.json' : text, json: records };
        }),
      ),
    );
  design
    .command('decide')
    .description('choose a candidate, with the reason (the global --reason, required here): stored as the next version')
    .argument('<name>', 'design name')
    .argument('<candidate>', 'candidate name')
    .action(
      action(async (environment, positional) => {
        const [name, candidate] = positional as [string, string];
        const reason = environment.context.reason;
        if (reason === undefined || reason === '') throw new MlcycleError('invalid_input', 'design decide needs --reason TEXT: why this candidate');
        return withWorkspace(environment, async (workspace) => {
          const record = await workspace.designs.find(name);
          if (record === undefined) throw new MlcycleError('not_found', `no design ${name}`);
          const document = record.document as DesignDocument;
          if (!document.candidates.some((entry) => entry.name === candidate)) throw new MlcycleError('invalid_input', `design ${name} has no candidate ${candidate} (it has ${document.candidates.map((entry) => entry.name).join(', ')})`);
          const decided: DesignDocument = { ...document, decision: { candidate, reason, decidedBy: environment.context.actor, decidedAt: environment.context.now().toISOString() } };
          const saved = await workspace.designs.save(name, decided, 'design.decided', environment.context);
          return { text: `design ${name} version ${saved.version}: decided ${candidate}`, json: saved };
        });
      }),
    );
};
