/** `mlcycle data validate|suggest-checks|split`: checking data and deriving splits. */
import type { Command } from 'commander';
import { SPLIT_METHODS, type SplitMethod, type SplitPart } from '../data/split.js';
import { MlcycleError } from '../error.js';
import { withDataContext } from './data-context.js';
import { formatValidation, formatVersionLine } from './format-data.js';
import { parseList, parseSeed } from './option-parsers.js';
import type { ActionFactory } from './program.js';

function parseParts(raw: string): SplitPart[] {
  return raw.split(',').map((item) => {
    const [name = '', fraction] = item.split('=').map((part) => part.trim());
    if (fraction === undefined) return { name };
    const value = Number(fraction);
    if (!Number.isFinite(value)) throw new MlcycleError('usage', `--parts: "${item}" needs a number after =`);
    return { name, fraction: value };
  });
}

/** Registers the commands that check data and derive splits. */
export function registerDataQuality(data: Command, action: ActionFactory): void {
  data
    .command('validate')
    .description('run the checks declared in mlcycle.yaml; exit code 1 when one fails')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .action(
      action(async (environment, positional) => {
        const [ref] = positional as [string];
        const [{ resolveDatasetRef }, { validateDataset }] = await Promise.all([import('../data/dataset-ref.js'), import('../data/validate-dataset.js')]);
        return withDataContext(environment, async ({ workspace, engine, spec, specCheck }) => {
          const version = await resolveDatasetRef(workspace.datasets, ref);
          const specHash = specCheck.exists ? specCheck.hash : undefined;
          const validation = await validateDataset(workspace, engine, spec, specHash, version, environment.context);
          return { text: formatValidation(validation), json: validation, exitCode: validation.passed ? 0 : 1 };
        });
      }),
    );

  data
    .command('suggest-checks')
    .description('propose checks from the data, Deequ-style, as YAML for mlcycle.yaml')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .action(
      action(async (environment, positional) => {
        const [ref] = positional as [string];
        const [{ stringify }, { describeCheck }, { resolveDatasetRef }, { suggestChecks }, { versionTableSql }] = await Promise.all([
          import('yaml'),
          import('../data/checks.js'),
          import('../data/dataset-ref.js'),
          import('../data/suggest-checks.js'),
          import('../data/version-table.js'),
        ]);
        return withDataContext(environment, async ({ workspace, engine }) => {
          const version = await resolveDatasetRef(workspace.datasets, ref);
          const suggestions = await suggestChecks(engine, await versionTableSql(workspace.artifacts, version), version);
          const yaml = stringify({ datasets: { [version.dataset]: { checks: suggestions.map((suggestion) => suggestion.check) } } }, { flow: false });
          const why = suggestions.map((suggestion) => `# ${describeCheck(suggestion.check)}: ${suggestion.why}`);
          return { text: [`# ${suggestions.length} checks suggested from ${version.ref}; paste under mlcycle.yaml`, ...why, yaml].join('\n'), json: suggestions };
        });
      }),
    );

  data
    .command('split')
    .description('split a version into derived versions with lineage (random, stratified, time or group)')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .requiredOption('--by <method>', SPLIT_METHODS.join(', '))
    .option('--parts <list>', 'parts: train=0.8,test=0.2 (time splits: names only, e.g. train,validation,test)', 'train=0.8,validation=0.1,test=0.1')
    .option('--cuts <times>', 'time splits: where each later part starts, e.g. 2001-05-01,2001-06-01')
    .option('--column <column>', 'the group column, the label to stratify on, or the time column')
    .option('--seed <seed>', 'the seed of random, stratified and group splits', '42')
    .option('--prefix <name>', 'name the derived datasets <prefix>-<part> (default: the dataset name)')
    .action(
      action(async (environment, positional, command) => {
        const [ref] = positional as [string];
        const options = command.opts<{ by: string; parts: string; cuts?: string; column?: string; seed: string; prefix?: string }>();
        if (!(SPLIT_METHODS as readonly string[]).includes(options.by)) {
          throw new MlcycleError('usage', `--by: expected one of ${SPLIT_METHODS.join(', ')}, got "${options.by}"`);
        }
        const seed = parseSeed(options.seed, '--seed', 0);
        const { splitDataset } = await import('../data/split.js');
        return withDataContext(environment, async ({ workspace, engine, spec }) => {
          const outcome = await splitDataset(
            workspace,
            engine,
            spec,
            {
              ref,
              by: options.by as SplitMethod,
              parts: parseParts(options.parts),
              seed,
              ...(options.cuts === undefined ? {} : { cuts: parseList(options.cuts) }),
              ...(options.column === undefined ? {} : { column: options.column }),
              ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
            },
            environment.context,
          );
          const lines = [
            `split ${outcome.parent.ref} by ${options.by}:`,
            ...outcome.parts.map((part) => `  ${part.part}: ${part.created ? '' : 'unchanged, '}${formatVersionLine(part.version)}`),
          ];
          if (outcome.leftOut > 0) lines.push(`  left out: ${outcome.leftOut} row(s) without a time`);
          return { text: lines.join('\n'), json: outcome };
        });
      }),
    );
}
