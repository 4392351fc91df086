/**
 * The run search query as the stores receive it: a parsed filter (an AST, never text), an ordering and
 * paging. src/tracking/search/ parses the text form; each backend compiles the AST with bound parameters.
 */

export const FILTER_ENTITIES = ['metric', 'param', 'tag', 'attribute', 'dataset'] as const;
export type FilterEntity = (typeof FILTER_ENTITIES)[number];

/** Run attributes that filters and orderings may name, with the type of their values. */
export const RUN_ATTRIBUTES = {
  run_id: 'string',
  run_name: 'string',
  status: 'string',
  user_id: 'string',
  experiment_id: 'string',
  parent_run_id: 'string',
  git_commit: 'string',
  start_time: 'number',
  end_time: 'number',
} as const satisfies Record<string, 'string' | 'number'>;
export type RunAttribute = keyof typeof RUN_ATTRIBUTES;

/** The keys of `datasets.<key>`: the dataset's name, its content hash and the context of its use. */
export const DATASET_FIELDS = ['name', 'digest', 'context'] as const;
export type DatasetField = (typeof DATASET_FIELDS)[number];

export type Comparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
export const ORDER_COMPARATORS: readonly Comparator[] = ['<', '<=', '>', '>='];

export interface FilterField {
  entity: FilterEntity;
  key: string;
}

export type FilterValue = string | number;

export interface FilterComparison {
  kind: 'comparison';
  field: FilterField;
  comparator: Comparator;
  /** A list for IN and NOT IN, else one value: a number for metrics and numeric attributes. */
  value: FilterValue | readonly FilterValue[];
}

export interface FilterJunction {
  kind: 'and' | 'or';
  operands: readonly FilterExpression[];
}

export type FilterExpression = FilterComparison | FilterJunction;

export interface RunOrder {
  field: FilterField;
  direction: 'asc' | 'desc';
}

export interface RunQuery {
  /** Only runs of these experiments; all experiments when absent. */
  experimentIds?: readonly string[];
  filter?: FilterExpression;
  /** Runs without a value for an ordering key come last; ties end with start time (newest first) and id. */
  orderBy?: readonly RunOrder[];
  /** At most this many runs per page (default 1,000, at most 50,000 as MLflow allows). */
  maxResults?: number;
  pageToken?: string;
  /** Which runs: active (default), deleted or all. */
  lifecycle?: 'active' | 'deleted' | 'all';
}

export const DEFAULT_MAX_RESULTS = 1000;
export const MAX_RESULTS_LIMIT = 50_000;

/** Whether a field's values are numbers (metrics, start and end times) rather than strings. */
export function isNumericField(field: FilterField): boolean {
  if (field.entity === 'metric') return true;
  return field.entity === 'attribute' && RUN_ATTRIBUTES[field.key as RunAttribute] === 'number';
}
