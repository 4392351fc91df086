/** `mlcycle data list|show|head|diff`: looking at dataset versions. */
import type { Command } from 'commander';
import { withDataContext } from './data-context.js';
import { formatDiff, formatFacts, formatLineage, formatSchema, formatValidation, formatVersionLine } from './format-data.js';
import { formatTable } from './output.js';
import type { ActionFactory } from './program.js';
import { parsePositiveInteger } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';

/** Registers the read-only data commands. */
export function registerDataInspect(data: Command, action: ActionFactory): void {
  data
    .command('list')
    .description('list datasets with their latest version')
    .action(
      action(async (environment) =>
        withWorkspace(environment, async (workspace) => {
          const datasets = await workspace.datasets.listDatasets();
          const rows = [['dataset', 'versions', 'latest', 'rows', 'columns', 'added']];
          for (const item of datasets) {
            rows.push([item.name, String(item.versions), item.latest.ref, item.latest.rowCount.toLocaleString('en-US'), String(item.latest.columns.length), item.latest.createdAt]);
          }
          return { text: datasets.length === 0 ? 'no datasets yet: `mlcycle data add PATH --name NAME`' : formatTable(rows), json: datasets };
        }),
      ),
    );

  data
    .command('show')
    .description('schema, row count, lineage, owners, validation and feasibility facts of a version')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .action(
      action(async (environment, positional) => {
        const [ref] = positional as [string];
        const [{ resolveDatasetRef }, { assessFeasibility }] = await Promise.all([import('../data/dataset-ref.js'), import('../data/feasibility.js')]);
        return withDataContext(environment, async ({ workspace, engine, spec }) => {
          const version = await resolveDatasetRef(workspace.datasets, ref);
          const facts = await assessFeasibility(engine, workspace.artifacts, version, spec, environment.context.now());
          const validation = await workspace.datasets.latestValidation(version.ref);
          const owner = spec?.owners?.dataset;
          const lines = [
            formatVersionLine(version),
            `added ${version.createdAt} by ${version.createdBy}${version.timeColumn === undefined ? '' : `, time column ${version.timeColumn}`}`,
            ...formatLineage(version),
            `owner: ${owner === undefined ? 'none named (owners.dataset in mlcycle.yaml)' : `${owner.owner}, on call ${owner.onCall}`}`,
            '',
            formatSchema(version),
            '',
            ...formatFacts(facts),
            '',
            validation === undefined ? 'not validated yet: `mlcycle data validate ' + version.ref + '`' : formatValidation(validation),
          ];
          return { text: lines.join('\n'), json: { version, owner: owner ?? null, facts, validation: validation ?? null } };
        });
      }),
    );

  data
    .command('head')
    .description('the first rows of a version')
    .argument('<ref>', 'NAME or NAME@VERSION')
    .option('-n, --rows <count>', 'how many rows', '10')
    .action(
      action(async (environment, positional, command) => {
        const [ref] = positional as [string];
        const count = parsePositiveInteger(command.opts<{ rows: string }>().rows, '--rows');
        const [{ resolveDatasetRef }, { versionTableSql }] = await Promise.all([import('../data/dataset-ref.js'), import('../data/version-table.js')]);
        return withDataContext(environment, async ({ workspace, engine }) => {
          const version = await resolveDatasetRef(workspace.datasets, ref);
          const rows = await engine.query(`SELECT * FROM ${await versionTableSql(workspace.artifacts, version)} LIMIT ${count}`);
          const names = version.columns.map((column) => column.name);
          const table = [names, ...rows.map((row) => names.map((name) => (row[name] === null ? '' : String(row[name]))))];
          return { text: formatTable(table), json: rows };
        });
      }),
    );

  data
    .command('diff')
    .description('schema changes, row count change and per-column shifts between two versions')
    .argument('<from>', 'NAME@VERSION')
    .argument('<to>', 'NAME@VERSION')
    .action(
      action(async (environment, positional) => {
        const [fromRef, toRef] = positional as [string, string];
        const [{ resolveDatasetRef }, { diffDatasets }, { versionTableSql }] = await Promise.all([import('../data/dataset-ref.js'), import('../data/diff.js'), import('../data/version-table.js')]);
        return withDataContext(environment, async ({ workspace, engine }) => {
          const from = await resolveDatasetRef(workspace.datasets, fromRef);
          const to = await resolveDatasetRef(workspace.datasets, toRef);
          const diff = await diffDatasets(
            engine,
            { version: from, table: await versionTableSql(workspace.artifacts, from) },
            { version: to, table: await versionTableSql(workspace.artifacts, to) },
          );
          return { text: formatDiff(diff), json: diff };
        });
      }),
    );
}
