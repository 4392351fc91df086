/**
 * Turns zod's issues into mlcycle's `InputIssue`s: paths in the `successMetrics[1].kind` form, messages a
 * spec author understands, one issue per unknown field with the nearest known name as a suggestion.
 */
import type { z } from 'zod';
import type { InputIssue } from '../error.js';

export type PathSegment = string | number;

/** An issue before it is placed in a file: the path as segments, so that it can be found in the YAML. */
export interface SpecIssue {
  segments: PathSegment[];
  message: string;
}

/** Places issues: formats their paths and, given a locator, adds file and line. */
export function toInputIssues(
  issues: readonly SpecIssue[],
  locate?: (segments: PathSegment[]) => Pick<InputIssue, 'file' | 'line' | 'column'>,
): InputIssue[] {
  return issues.map((issue) => ({ ...locate?.(issue.segments), path: formatPath(issue.segments), message: issue.message }));
}

/** `['successMetrics', 1, 'kind']` becomes `successMetrics[1].kind`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** YAML's words for JSON's types. */
const TYPE_NAMES: Partial<Record<string, string>> = { object: 'a mapping', record: 'a mapping', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };

/** Messages for zod's built-in checks, used wherever a schema gives no message of its own. */
const specErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return issue.input === undefined
        ? `required (expected ${expected})`
        : `expected ${expected}, got ${describeValue(issue.input)}`;
    }
    case 'invalid_value':
      if (issue.input === undefined) return `required (expected one of ${issue.values.map(String).join(', ')})`;
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}, got ${describeValue(issue.input)}`
        : `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item(s)`;
      return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `takes at most ${String(issue.maximum)} item(s)`;
      return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${String(issue.maximum)}`;
    case 'invalid_union': {
      // Discriminated unions list the allowed discriminator values as `options`.
      const options = (issue as { options?: unknown[] }).options;
      return Array.isArray(options) ? `expected one of ${options.map(String).join(', ')}` : undefined;
    }
    default:
      return undefined;
  }
};

/** Parses with the spec's messages; issues carry the prefix in front of their paths. */
export function parseSpecPart<Schema extends z.ZodType>(
  schema: Schema,
  data: unknown,
  prefix: PathSegment[] = [],
): { data: z.output<Schema>; issues: [] } | { data: undefined; issues: SpecIssue[] } {
  const result = schema.safeParse(data, { error: specErrorMap });
  if (result.success) return { data: result.data, issues: [] };
  return { data: undefined, issues: zodIssuesToSpecIssues(result.error.issues, schema, prefix) };
}

/** Converts zod issues, expanding unknown fields into one issue each with a suggestion. */
function zodIssuesToSpecIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  prefix: PathSegment[],
): SpecIssue[] {
  const out: SpecIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path as PathSegment[]);
      for (const key of issue.keys) {
        const suggestion = nearestName(key, known);
        const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
        out.push({ segments: [...path, key], message: `unknown field${hint}` });
      }
    } else {
      out.push({ segments: path, message: issue.message });
    }
  }
  return out;
}

interface SchemaInternals {
  _zod: {
    def: {
      type: string;
      shape?: Record<string, unknown>;
      element?: unknown;
      innerType?: unknown;
      in?: unknown;
      options?: unknown[];
      valueType?: unknown;
    };
  };
}

/**
 * The field names an object schema allows at a path, looking through optional, default, list and record
 * wrappers; for a union, the names any of its options allows.
 */
function knownKeysAt(schema: unknown, path: readonly PathSegment[]): string[] {
  const current = schema as SchemaInternals | undefined;
  if (current === undefined) return [];
  const def = current._zod.def;
  if (def.innerType !== undefined) return knownKeysAt(def.innerType, path);
  if (def.type === 'pipe') return knownKeysAt(def.in, path);
  if (def.type === 'union' && def.options !== undefined) return [...new Set(def.options.flatMap((option) => knownKeysAt(option, path)))];
  if (path.length === 0) return def.shape === undefined ? [] : Object.keys(def.shape);
  const [head, ...rest] = path;
  if (def.type === 'object' && def.shape !== undefined) return knownKeysAt(def.shape[String(head)], rest);
  if (def.type === 'array') return knownKeysAt(def.element, rest);
  if (def.type === 'record') return knownKeysAt(def.valueType, rest);
  return [];
}

/** The known name closest to a misspelt one, if it is close enough to be a typo. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
