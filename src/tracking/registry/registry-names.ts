/**
 * Names in the registry. Aliases follow MLflow (`mlflow/utils/validation.py`,
 * `_validate_model_alias_name`): letters, digits, `_` and `-`, at most 255 characters
 * (MAX_REGISTERED_MODEL_ALIAS_LENGTH), `latest` reserved in any case and `v<digits>` reserved for versions.
 * Tag keys at most 250 characters and values 5000 (MAX_MODEL_REGISTRY_TAG_KEY_LENGTH,
 * MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH). Model names are stricter than MLflow's (which only refuses an empty
 * name): no `/`, `@` or `:`, so that `models:/name@alias` and `models:/name/3` always parse one way.
 */
import { MlcycleError } from '../../error.js';
import { keyProblem } from '../limits.js';

export const REGISTRY_LIMITS = { modelNameLength: 250, aliasLength: 255, tagKeyLength: 250, tagValueLength: 5000, descriptionLength: 5000 } as const;

const MODEL_NAME = /^[A-Za-z0-9][\w.\- ]*$/;
const ALIAS = /^[\w-]+$/;

function invalid(path: string, message: string): MlcycleError {
  return new MlcycleError('invalid_input', `${path}: ${message}`, { issues: [{ path, message }] });
}

/** Refuses a model name that is empty, too long or would make a model URI ambiguous. */
export function validateModelName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw invalid('name', 'a registered model name must be given');
  if (name.length > REGISTRY_LIMITS.modelNameLength) throw invalid('name', `has ${name.length} characters, more than the limit of ${REGISTRY_LIMITS.modelNameLength}`);
  if (!MODEL_NAME.test(name) || name.endsWith(' ')) throw invalid('name', `"${name}" must start with a letter or digit and hold only letters, digits, _, -, . and inner spaces`);
}

/** Refuses an alias MLflow would refuse. */
export function validateAlias(alias: unknown): asserts alias is string {
  if (typeof alias !== 'string' || alias === '') throw invalid('alias', 'an alias must be given');
  if (alias.length > REGISTRY_LIMITS.aliasLength) throw invalid('alias', `has ${alias.length} characters, more than the limit of ${REGISTRY_LIMITS.aliasLength}`);
  if (!ALIAS.test(alias)) throw invalid('alias', `"${alias}" may only hold letters, digits, _ and -`);
  if (alias.toLowerCase() === 'latest') throw invalid('alias', '"latest" is reserved: it always means the newest version');
  if (/^[vV]\d+$/.test(alias)) throw invalid('alias', `"${alias}" is reserved: v<number> names a version`);
}

/** Refuses a tag key or value beyond the registry's limits. */
export function validateRegistryTag(key: unknown, value: unknown): asserts value is string {
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalid(`tags.${String(key)}`, problem);
  if (typeof value !== 'string') throw invalid(`tags.${String(key)}`, 'the value must be a string');
  if (value.length > REGISTRY_LIMITS.tagValueLength) throw invalid(`tags.${String(key)}`, `has ${value.length} characters, more than the limit of ${REGISTRY_LIMITS.tagValueLength}`);
}

/** Refuses a description beyond the limit. */
export function validateDescription(description: unknown): asserts description is string {
  if (typeof description !== 'string') throw invalid('description', 'must be a string');
  if (description.length > REGISTRY_LIMITS.descriptionLength) throw invalid('description', `has ${description.length} characters, more than the limit of ${REGISTRY_LIMITS.descriptionLength}`);
}
