/**
 * `--set key=value` overrides: each puts a value at a dotted path of the pipeline document before it is
 * validated, so an override is checked exactly as the file's own value would be, and its problems are
 * reported against `--set` rather than a line of the file.
 */
import { parse } from 'yaml';
import { MlcycleError } from '../../error.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/** Parses `key=value` arguments; the value is read as YAML (`31` a number, `true` a boolean, `[a, b]` a list). */
export function parseOverrides(assignments: readonly string[]): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  for (const assignment of assignments) {
    const equals = assignment.indexOf('=');
    const key = equals < 0 ? assignment : assignment.slice(0, equals).trim();
    if (equals < 0 || !KEY.test(key)) {
      throw new MlcycleError('usage', `--set ${assignment}: expected key=value with a dotted key such as train.params.numLeaves=31`);
    }
    const text = assignment.slice(equals + 1);
    let value: unknown;
    try {
      value = text.trim() === '' ? '' : (parse(text) as unknown);
    } catch (error) {
      throw new MlcycleError('usage', `--set ${assignment}: the value is not valid YAML (${(error as Error).message.split('\n')[0] ?? ''})`);
    }
    overrides[key] = value;
  }
  return overrides;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of the document with each override applied; mappings on the way are created as needed. */
export function applyOverrides(document: unknown, overrides: Readonly<Record<string, unknown>>): unknown {
  const root: unknown = structuredClone(document ?? {});
  for (const [key, value] of Object.entries(overrides)) {
    if (!KEY.test(key)) throw new MlcycleError('usage', `override "${key}": expected a dotted key such as train.params.numLeaves`);
    const parts = key.split('.');
    let node = root;
    for (const [index, part] of parts.entries()) {
      if (!isMapping(node)) {
        throw new MlcycleError('invalid_input', `--set ${key}: ${parts.slice(0, index).join('.') || 'the pipeline'} is not a mapping`, { issues: [{ file: '--set', path: key, message: `${parts.slice(0, index).join('.')} is not a mapping` }] });
      }
      if (index === parts.length - 1) node[part] = value;
      else node = node[part] = isMapping(node[part]) ? node[part] : (node[part] ?? {});
    }
  }
  return root;
}

/** Whether an issue's field path lies at or under one of the overridden keys. */
export function fromOverride(path: string, overrides: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(overrides).some((key) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`));
}
