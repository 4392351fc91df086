/**
 * MLflow 3's search_logged_models filter and ordering, evaluated over the models of the requested
 * experiments. The filter is comparisons joined by AND (as MLflow's: no OR), on attributes (name,
 * model_id, model_type, status, source_run_id, creation_time, last_updated_timestamp), `params.KEY`,
 * `tags.KEY` and `metrics.KEY`; strings take =, !=, LIKE, ILIKE, IN and NOT IN, numbers =, !=, <, <=, >, >=.
 * A metric comparison holds when any of the model's points for that key (on the request's datasets, when
 * given) satisfies it. Orderings are `{field_name, ascending}` on the same fields.
 */
import { MlcycleError } from '../../error.js';
import type { LoggedModel } from '../../store/logged-model-store.js';
import { syntaxError, tokenize, type Token } from '../../tracking/search/filter-tokens.js';

const STRING_ATTRIBUTES = ['name', 'model_id', 'model_type', 'status', 'source_run_id', 'experiment_id'] as const;
const NUMBER_ATTRIBUTES: Record<string, 'createdAt' | 'updatedAt'> = {
  creation_time: 'createdAt',
  creation_timestamp: 'createdAt',
  creation_timestamp_ms: 'createdAt',
  last_updated_timestamp: 'updatedAt',
  last_updated_timestamp_ms: 'updatedAt',
};

export interface DatasetSelector {
  name: string;
  digest?: string;
}

type Field = { kind: 'attribute'; key: string } | { kind: 'param' | 'tag' | 'metric'; key: string };
type Condition = { field: Field; comparator: string; value: string | number | readonly string[] };

function fieldOf(token: Token, source: string): Field {
  const parts = token.parts ?? [token.value];
  if (parts.length === 1 || (parts.length === 2 && (parts[0] === 'attributes' || parts[0] === 'attribute'))) {
    const key = parts.at(-1) as string;
    if ((STRING_ATTRIBUTES as readonly string[]).includes(key) || Object.hasOwn(NUMBER_ATTRIBUTES, key)) return { kind: 'attribute', key };
    throw syntaxError(source, token.column, token.text, `unknown attribute "${key}": one of ${[...STRING_ATTRIBUTES, ...Object.keys(NUMBER_ATTRIBUTES)].join(', ')}`);
  }
  const entity = { params: 'param', param: 'param', tags: 'tag', tag: 'tag', metrics: 'metric', metric: 'metric' }[parts[0] as string] as 'param' | 'tag' | 'metric' | undefined;
  if (entity === undefined || parts.length !== 2) throw syntaxError(source, token.column, token.text, 'expected a field such as name, params.lr, tags.team or metrics.auc');
  return { kind: entity, key: parts[1] as string };
}

const isNumeric = (field: Field) => field.kind === 'metric' || (field.kind === 'attribute' && Object.hasOwn(NUMBER_ATTRIBUTES, field.key));

/** The filter's comparisons; a syntax error names the column. */
export function parseLoggedModelFilter(text: string | undefined): Condition[] {
  if (text === undefined || text.trim() === '') return [];
  const source = 'filter';
  const tokens = tokenize(text, source);
  const conditions: Condition[] = [];
  let index = 0;
  const next = () => tokens[index++] as Token;
  for (;;) {
    const fieldToken = next();
    if (fieldToken.kind !== 'identifier') throw syntaxError(source, fieldToken.column, fieldToken.text, 'expected a field such as name, params.lr or metrics.auc');
    const field = fieldOf(fieldToken, source);
    let operator = next();
    let comparator = operator.value === '==' ? '=' : operator.value === '<>' ? '!=' : operator.value;
    if (operator.kind === 'keyword' && operator.value === 'NOT') {
      operator = next();
      if (operator.value !== 'IN') throw syntaxError(source, operator.column, operator.text, 'expected IN after NOT');
      comparator = 'NOT IN';
    }
    const numeric = isNumeric(field);
    const allowed = numeric ? ['=', '!=', '<', '<=', '>', '>='] : ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
    if (!allowed.includes(comparator)) throw syntaxError(source, operator.column, operator.text, `${fieldToken.text} takes ${allowed.join(', ')}`);
    let value: Condition['value'];
    if (comparator === 'IN' || comparator === 'NOT IN') {
      const open = next();
      if (open.kind !== '(') throw syntaxError(source, open.column, open.text, 'expected ( after IN');
      const values: string[] = [];
      for (;;) {
        const item = next();
        if (item.kind !== 'string') throw syntaxError(source, item.column, item.text, 'expected a quoted string');
        values.push(item.value);
        const separator = next();
        if (separator.kind === ')') break;
        if (separator.kind !== ',') throw syntaxError(source, separator.column, separator.text, 'expected , or )');
      }
      value = values;
    } else {
      const token = next();
      if (numeric && token.kind !== 'number') throw syntaxError(source, token.column, token.text, `${fieldToken.text} is compared with a number`);
      if (!numeric && token.kind !== 'string') throw syntaxError(source, token.column, token.text, `${fieldToken.text} is compared with a quoted string`);
      value = numeric ? Number(token.value) : token.value;
    }
    conditions.push({ field, comparator, value });
    const joiner = next();
    if (joiner.kind === 'end') return conditions;
    if (joiner.kind !== 'keyword' || joiner.value !== 'AND') throw syntaxError(source, joiner.column, joiner.text, joiner.value === 'OR' ? 'logged-model search joins comparisons with AND only (as MLflow)' : 'expected AND');
  }
}

function likeMatches(pattern: string, value: string, caseless: boolean): boolean {
  const regex = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.');
  return new RegExp(`^${regex}$`, caseless ? 'is' : 's').test(value);
}

function compare(comparator: string, actual: string | number, expected: Condition['value']): boolean {
  switch (comparator) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return (actual as number) < (expected as number);
    case '<=':
      return (actual as number) <= (expected as number);
    case '>':
      return (actual as number) > (expected as number);
    case '>=':
      return (actual as number) >= (expected as number);
    case 'LIKE':
      return likeMatches(expected as string, String(actual), false);
    case 'ILIKE':
      return likeMatches(expected as string, String(actual), true);
    case 'IN':
      return (expected as readonly string[]).includes(String(actual));
    default:
      return !(expected as readonly string[]).includes(String(actual));
  }
}

function attributeValue(model: LoggedModel, key: string): string | number | undefined {
  const numeric = NUMBER_ATTRIBUTES[key];
  if (numeric !== undefined) return model[numeric];
  const values: Record<string, string | undefined> = { name: model.name, model_id: model.id, model_type: model.modelType, status: model.status, source_run_id: model.sourceRunId, experiment_id: model.experimentId };
  return values[key];
}

function onDatasets(model: LoggedModel, datasets: readonly DatasetSelector[]) {
  return model.metrics.filter((metric) => datasets.length === 0 || datasets.some((dataset) => metric.datasetName === dataset.name && (dataset.digest === undefined || metric.datasetDigest === dataset.digest)));
}

/** Whether a model meets every condition. */
export function matchesLoggedModelFilter(model: LoggedModel, conditions: readonly Condition[], datasets: readonly DatasetSelector[]): boolean {
  return conditions.every(({ field, comparator, value }) => {
    if (field.kind === 'metric') return onDatasets(model, datasets).some((metric) => metric.key === field.key && compare(comparator, metric.value, value));
    const actual = field.kind === 'attribute' ? attributeValue(model, field.key) : field.kind === 'param' ? model.params[field.key] : model.tags[field.key];
    return actual !== undefined && compare(comparator, actual, value);
  });
}

export interface LoggedModelOrder {
  field: Field;
  ascending: boolean;
  datasets: DatasetSelector[];
}

/** `order_by` entries (`{field_name, ascending, dataset_name, dataset_digest}`), each field checked. */
export function parseLoggedModelOrder(entries: readonly Record<string, unknown>[]): LoggedModelOrder[] {
  return entries.map((entry, index) => {
    const name = entry.field_name;
    if (typeof name !== 'string' || name === '') throw new MlcycleError('invalid_input', `order_by[${index}].field_name: missing`);
    const field = fieldOf(tokenize(name, `order_by[${index}].field_name`)[0] as Token, `order_by[${index}].field_name`);
    const datasetName = entry.dataset_name;
    if (datasetName !== undefined && field.kind !== 'metric') throw new MlcycleError('invalid_input', `order_by[${index}].dataset_name: only a metric ordering takes a dataset`);
    const datasets = typeof datasetName === 'string' ? [{ name: datasetName, ...(typeof entry.dataset_digest === 'string' ? { digest: entry.dataset_digest } : {}) }] : [];
    return { field, ascending: entry.ascending !== false, datasets };
  });
}

function sortValue(model: LoggedModel, order: LoggedModelOrder): string | number | undefined {
  if (order.field.kind === 'metric') {
    const points = onDatasets(model, order.datasets).filter((metric) => metric.key === order.field.key);
    // The latest point (largest step, then timestamp) stands for the model, as a run's latest metric.
    const latest = points.reduce<(typeof points)[number] | undefined>((best, point) => (best === undefined || point.step > best.step || (point.step === best.step && point.timestamp >= best.timestamp) ? point : best), undefined);
    return latest?.value;
  }
  if (order.field.kind === 'attribute') return attributeValue(model, order.field.key);
  return order.field.kind === 'param' ? model.params[order.field.key] : model.tags[order.field.key];
}

/** The models in the requested order; missing values last; ties newest first, then by id. MLflow's default is newest first. */
export function sortLoggedModels(models: readonly LoggedModel[], orders: readonly LoggedModelOrder[]): LoggedModel[] {
  return [...models].sort((a, b) => {
    for (const order of orders) {
      const left = sortValue(a, order);
      const right = sortValue(b, order);
      if (left === right) continue;
      if (left === undefined) return 1;
      if (right === undefined) return -1;
      const sign = left < right ? -1 : 1;
      return order.ascending ? sign : -sign;
    }
    return b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}
