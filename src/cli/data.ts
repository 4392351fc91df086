/** `mlcycle data ...`: dataset versions, validation, splits (stage 2). */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import { formatVersionLine } from './format-data.js';
import { withDataContext } from './data-context.js';
import type { RegisterCommands } from './program.js';
import { registerDataInspect } from './data-inspect.js';
import { registerDataQuality } from './data-quality.js';

export const registerData: RegisterCommands = (program, action) => {
  const data = program.command('data').description('datasets: versions, schemas, validation and splits');
  data
    .command('add')
    .description('register a file as an immutable dataset version (stored as Parquet)')
    .argument('<path>', 'the file to add')
    .requiredOption('--name <name>', 'the dataset name')
    .option('--format <format>', 'csv, tsv, json, ndjson, parquet or arrow (default: from the extension)')
    .option('--delimiter <char>', 'CSV field separator (default: detected)')
    .option('--time-column <column>', 'the column that orders rows in time')
    .option('--target <column>', 'a label column this dataset must contain (default: the spec\'s target, if present)')
    .action(
      action(async (environment, positional, command: Command) => {
        const [file] = positional as [string];
        const options = command.opts<{ name: string; format?: string; delimiter?: string; timeColumn?: string; target?: string }>();
        const { addDataset, checkSourceFile } = await import('../data/add-dataset.js');
        // The file is checked first: a missing input is the first thing to hear about, before the spec.
        await checkSourceFile(file);
        return withDataContext(environment, async ({ workspace, engine, spec }) => {
          const outcome = await addDataset(workspace, engine, spec, { file, ...options }, environment.context);
          const verb = outcome.created ? 'registered' : 'unchanged, already registered as';
          return { text: `${verb} ${formatVersionLine(outcome.version)}`, json: outcome };
        });
      }),
    );
  data
    .command('derive')
    .description('register a version computed by SQL from other versions, with them as its lineage')
    .requiredOption('--name <name>', 'the derived dataset name')
    .requiredOption('--from <alias=ref...>', 'inputs, each alias=NAME[@VERSION]; the SQL reads {alias}')
    .requiredOption('--sql <query>', 'a SELECT over {alias} tables')
    .option('--time-column <column>', 'the column that orders rows in time')
    .action(
      action(async (environment, _positional, command: Command) => {
        const options = command.opts<{ name: string; from: string[]; sql: string; timeColumn?: string }>();
        const inputs: Record<string, string> = {};
        for (const item of options.from) {
          const [alias, ref] = item.split('=');
          if (alias === undefined || ref === undefined || alias === '' || ref === '') {
            throw new MlcycleError('usage', `--from: "${item}" should read alias=NAME[@VERSION]`);
          }
          inputs[alias] = ref;
        }
        const { deriveDataset } = await import('../data/derive.js');
        return withDataContext(environment, async ({ workspace, engine, spec }) => {
          const outcome = await deriveDataset(
            workspace,
            engine,
            spec,
            { name: options.name, inputs, sql: options.sql, ...(options.timeColumn === undefined ? {} : { timeColumn: options.timeColumn }) },
            environment.context,
          );
          const verb = outcome.created ? 'registered' : 'unchanged, already registered as';
          return { text: `${verb} ${formatVersionLine(outcome.version)}`, json: outcome };
        });
      }),
    );
  registerDataInspect(data, action);
  registerDataQuality(data, action);
};
