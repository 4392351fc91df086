/** `mlcycle models list|show|register|alias`: the model registry (stage 6). */
import type { Command } from 'commander';
import { MlcycleError } from '../error.js';
import type { ModelVersion } from '../store/model-registry.js';
import { deliverAfterCommand, registerModelWebhooks } from './models-webhooks.js';
import { formatTable } from './output.js';
import { checkOutputFile, writeOutputFile } from './output-path.js';
import { SERVER_OPTION_HELP, withTrackingSource } from './tracking-source.js';
import type { RegisterCommands } from './program.js';
import { parsePositiveInteger } from './option-parsers.js';
import { withWorkspace } from './workspace-option.js';

function versionRows(versions: readonly ModelVersion[]): string[][] {
  return [['version', 'run', 'source', 'aliases', 'created'], ...versions.map((version) => [String(version.version), version.runId.slice(0, 12), version.source, version.aliases.join(', '), version.createdAt])];
}

export const registerModels: RegisterCommands = (program, action) => {
  const models = program.command('models').description('the model registry: registered models, versions, aliases, lineage');
  models
    .command('list')
    .description('registered models with their latest version and aliases')
    .option('--server <url>', SERVER_OPTION_HELP)
    .action(
      action(async (environment, _positional, command: Command) =>
        withTrackingSource(environment, command.opts<{ server?: string }>().server, async (source) => {
          const list = await source.listModels();
          const rows = [['model', 'latest', 'aliases', 'updated', 'description'], ...list.map((model) => [model.name, String(model.latestVersion ?? '-'), Object.entries(model.aliases).map(([alias, version]) => `${alias}=v${version}`).join(', '), model.updatedAt, model.description])];
          return { text: list.length === 0 ? 'no registered models yet: `mlcycle models register NAME --run RUN`' : formatTable(rows), json: list };
        }),
      ),
    );
  models
    .command('show')
    .description('a model and its versions, or with a models:/ URI one version and its lineage')
    .argument('<model>', 'NAME, or models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/latest')
    .option('--server <url>', SERVER_OPTION_HELP)
    .action(
      action(async (environment, positional, command: Command) => {
        const [target] = positional as [string];
        return withTrackingSource(environment, command.opts<{ server?: string }>().server, async (source) => {
          if (target.startsWith('models:/')) {
            const lineage = await source.modelLineage(target);
            const { version, run } = lineage;
            const lines = [
              `models:/${version.model}/${version.version}${version.aliases.length === 0 ? '' : ` (${version.aliases.map((alias) => `@${alias}`).join(', ')})`}: ${version.description || 'no description'}`,
              `from run ${run.id} "${run.name}" (${run.status}), artifact ${version.source}`,
              ...Object.entries(version.tags).map(([key, value]) => `tag ${key}: ${value}`),
              ...lineage.inputs.map(({ input, datasetVersion }) => {
                const origin = datasetVersion?.lineage.source?.path ?? datasetVersion?.lineage.parents?.map((parent) => parent.ref).join(', ') ?? input.source ?? 'unknown source';
                return `${input.context || 'input'}: ${input.versionRef ?? input.dataset} (${input.digest.slice(0, 12)}) from ${origin}`;
              }),
            ];
            return { text: lines.join('\n'), json: lineage };
          }
          const { model, versions } = await source.modelDetail(target);
          const text = [`${model.name}: ${model.description || 'no description'}`, ...Object.entries(model.tags).map(([key, value]) => `tag ${key}: ${value}`), '', formatTable(versionRows(versions))].join('\n');
          return { text, json: { ...model, versions } };
        });
      }),
    );
  models
    .command('register')
    .description("add a version of a model (created if new) from a run's model artifact")
    .argument('<model>', 'the registered model name')
    .requiredOption('--run <run>', 'the run id or at least 6 of its first hex digits')
    .option('--path <artifact>', "the run's artifact folder or file holding the model", 'model')
    .option('--description <text>', 'what this version is')
    .action(
      action(async (environment, positional, command: Command) => {
        const [name] = positional as [string];
        const options = command.opts<{ run: string; path: string; description?: string }>();
        const [{ resolveRun }, { registerModel }] = await Promise.all([import('../tracking/find-runs.js'), import('../tracking/registry/register-model.js')]);
        return withWorkspace(environment, async (workspace) => {
          const run = await resolveRun(workspace.runs, options.run);
          const version = await registerModel(workspace, { name, run: run.id, path: options.path, ...(options.description === undefined ? {} : { description: options.description }) }, environment.context);
          await deliverAfterCommand(workspace);
          return { text: `registered models:/${version.model}/${version.version} from run ${run.id} (${version.source})`, json: version };
        });
      }),
    );
  models
    .command('alias')
    .description('point an alias (champion, challenger...) at a version, or remove it')
    .argument('<model>', 'the registered model name')
    .argument('<alias>', 'the alias')
    .argument('[version]', 'the version number (not with --delete)')
    .option('--delete', 'remove the alias', false)
    .action(
      action(async (environment, positional, command: Command) => {
        const [name, alias, version] = positional as [string, string, string | undefined];
        const { delete: remove } = command.opts<{ delete: boolean }>();
        if (remove === (version !== undefined)) throw new MlcycleError('usage', remove ? 'give no version with --delete' : 'give the version number the alias should point at');
        const { deleteModelAlias, setModelAlias } = await import('../tracking/registry/register-model.js');
        return withWorkspace(environment, async (workspace) => {
          if (remove) {
            await deleteModelAlias(workspace, name, alias, environment.context);
            await deliverAfterCommand(workspace);
            return { text: `removed alias ${alias} of ${name}`, json: { model: name, alias, version: null } };
          }
          const number = parsePositiveInteger(version as string, 'version');
          await setModelAlias(workspace, name, alias, number, environment.context);
          await deliverAfterCommand(workspace);
          return { text: `models:/${name}@${alias} now resolves to version ${number}`, json: { model: name, alias, version: number } };
        });
      }),
    );
  models
    .command('delete')
    .description('delete a version (its aliases go with it), or the whole model with every version')
    .argument('<model>', 'the registered model name')
    .argument('[version]', 'the version number; without it the whole model is deleted')
    .action(
      action(async (environment, positional) => {
        const [name, version] = positional as [string, string | undefined];
        const number = version === undefined ? undefined : parsePositiveInteger(version, 'version');
        const { deleteModelVersion, deleteRegisteredModel } = await import('../tracking/registry/register-model.js');
        return withWorkspace(environment, async (workspace) => {
          if (number === undefined) {
            await deleteRegisteredModel(workspace, name, environment.context);
            await deliverAfterCommand(workspace);
            return { text: `deleted registered model ${name} with all its versions`, json: { model: name, deleted: true } };
          }
          await deleteModelVersion(workspace, name, number, environment.context);
          await deliverAfterCommand(workspace);
          return { text: `deleted models:/${name}/${number}`, json: { model: name, version: number, deleted: true } };
        });
      }),
    );
  models
    .command('card')
    .description("a version's model card: problem, training data and their sources, run, evaluations (Markdown, or JSON)")
    .argument('<uri>', 'models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest')
    .option('--out <file>', 'write the card to a file (.json for JSON, else Markdown) instead of printing it')
    .action(
      action(async (environment, positional, command: Command) => {
        const [uri] = positional as [string];
        const { out } = command.opts<{ out?: string }>();
        const file = out === undefined ? undefined : await checkOutputFile(environment.cwd, out, '--out');
        const [{ buildModelCard }, { formatModelCardMarkdown }] = await Promise.all([import('../tracking/registry/model-card.js'), import('../tracking/registry/model-card-markdown.js')]);
        return withWorkspace(environment, async (workspace) => {
          const card = await buildModelCard(workspace, uri, environment.context.now);
          const markdown = formatModelCardMarkdown(card);
          if (file === undefined) return { text: markdown, json: card };
          await writeOutputFile(file, file.endsWith('.json') ? `${JSON.stringify(card, null, 2)}\n` : markdown);
          return { text: `wrote the model card of ${card.uri} to ${file}`, json: { uri: card.uri, file } };
        });
      }),
    );
  registerModelWebhooks(models, action);
};
