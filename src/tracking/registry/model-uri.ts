/** Model URIs as MLflow writes them: `models:/name@alias`, `models:/name/3`, `models:/name/latest`. */
import { MlcycleError } from '../../error.js';
import type { ModelRegistry, ModelVersion } from '../../store/model-registry.js';
import { validateAlias, validateModelName } from './registry-names.js';

export type VersionChoice = { version: number } | { alias: string } | { latest: true };

/** Splits a model URI into the model's name and which version it means. */
export function parseModelUri(uri: string): { model: string; choice: VersionChoice } {
  const match = /^models:\/(.+)$/.exec(uri);
  if (match === null) throw new MlcycleError('invalid_input', `model URI "${uri}": expected models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest`);
  const rest = match[1] as string;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const model = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    validateModelName(model);
    validateAlias(alias);
    return { model, choice: { alias } };
  }
  const slash = rest.lastIndexOf('/');
  if (slash < 0) throw new MlcycleError('invalid_input', `model URI "${uri}": name a version (models:/NAME/3), an alias (models:/NAME@champion) or latest`);
  const model = rest.slice(0, slash);
  const selector = rest.slice(slash + 1);
  validateModelName(model);
  if (selector === 'latest') return { model, choice: { latest: true } };
  if (!/^[1-9]\d{0,8}$/.test(selector)) throw new MlcycleError('invalid_input', `model URI "${uri}": "${selector}" is not a version number or latest`);
  return { model, choice: { version: Number(selector) } };
}

/** The version a model URI names; an unknown model, version or alias is not_found. */
export async function resolveModelUri(registry: ModelRegistry, uri: string): Promise<ModelVersion> {
  const { model, choice } = parseModelUri(uri);
  const registered = await registry.findModel(model);
  if (registered === undefined) throw new MlcycleError('not_found', `no registered model named "${model}"`);
  let version: number | undefined;
  if ('version' in choice) version = choice.version;
  else if ('alias' in choice) {
    version = registered.aliases[choice.alias];
    if (version === undefined) throw new MlcycleError('not_found', `registered model "${model}" has no alias "${choice.alias}" (aliases: ${Object.keys(registered.aliases).join(', ') || 'none'})`);
  } else {
    version = registered.latestVersion;
    if (version === undefined) throw new MlcycleError('not_found', `registered model "${model}" has no versions yet`);
  }
  const found = await registry.findVersion(model, version);
  if (found === undefined) throw new MlcycleError('not_found', `registered model "${model}" has no version ${version}`);
  return found;
}
