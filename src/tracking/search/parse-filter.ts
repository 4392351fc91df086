/**
 * Parses MLflow's search_runs filter syntax, plus OR, parentheses and IN on every field:
 *
 *   filter     := disjunct (OR disjunct)*
 *   disjunct   := primary (AND primary)*
 *   primary    := '(' filter ')' | comparison
 *   comparison := field operator value | field [NOT] IN '(' value (',' value)* ')'
 *   field      := entity '.' key | attribute           (entity: metrics, params, tags, attributes, datasets)
 *
 * and orderings (`metrics.auc DESC, params.lr`). Errors name the column and the token found there.
 */
import {
  DATASET_FIELDS,
  isNumericField,
  ORDER_COMPARATORS,
  RUN_ATTRIBUTES,
  type Comparator,
  type FilterComparison,
  type FilterEntity,
  type FilterExpression,
  type FilterField,
  type FilterValue,
  type RunOrder,
} from '../../store/run-filter.js';
import { checkFilterLength, FILTER_LIMITS, filterLimitError } from './filter-limits.js';
import { syntaxError, tokenize, type Token } from './filter-tokens.js';

/** Every spelling MLflow accepts for an entity (mlflow/utils/search_utils.py), mapped to ours. */
const ENTITY_NAMES: Record<string, FilterEntity> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** MLflow's alternative attribute names. */
const ATTRIBUTE_ALIASES: Record<string, string> = { created: 'start_time', Created: 'start_time', 'run name': 'run_name', 'Run name': 'run_name', 'Run Name': 'run_name' };

class Parser {
  private index = 0;
  /** Parentheses open now, comparisons and list values so far: checked against FILTER_LIMITS. */
  private depth = 0;
  private comparisons = 0;
  private listValues = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  get current(): Token {
    return this.tokens[this.index] as Token;
  }

  fail(message: string, token: Token = this.current): never {
    throw syntaxError(this.source, token.column, token.text, message);
  }

  /** The current token's kind; a method so that TypeScript does not narrow it across advance(). */
  kind(): Token['kind'] {
    return this.current.kind;
  }

  isKeyword(word: string): boolean {
    return this.kind() === 'keyword' && this.current.value === word;
  }

  advance(): Token {
    const token = this.current;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  expectEnd(): void {
    if (this.kind() !== 'end') this.fail(this.kind() === ')' ? 'this ) closes no open parenthesis' : 'expected AND, OR or the end of the filter');
  }

  parseDisjunction(): FilterExpression {
    const operands = [this.parseConjunction()];
    while (this.isKeyword('OR')) {
      this.advance();
      operands.push(this.parseConjunction());
    }
    return operands.length === 1 ? (operands[0] as FilterExpression) : { kind: 'or', operands };
  }

  parseConjunction(): FilterExpression {
    const operands = [this.parsePrimary()];
    while (this.isKeyword('AND')) {
      this.advance();
      operands.push(this.parsePrimary());
    }
    return operands.length === 1 ? (operands[0] as FilterExpression) : { kind: 'and', operands };
  }

  parsePrimary(): FilterExpression {
    if (this.kind() === '(') {
      const open = this.advance();
      if (++this.depth > FILTER_LIMITS.nesting) throw filterLimitError(this.source, 'nesting', this.depth);
      if (this.kind() === ')') this.fail('empty parentheses: expected a comparison inside');
      const inner = this.parseDisjunction();
      if (this.kind() !== ')') this.fail(`expected ) to close the ( at column ${open.column}`);
      this.advance();
      this.depth--;
      return inner;
    }
    return this.parseComparison();
  }

  parseField(): FilterField {
    const token = this.current;
    if (token.kind !== 'identifier') {
      this.fail(token.kind === 'end' ? 'expected a comparison such as metrics.auc > 0.8' : 'expected a field such as metrics.auc, params.lr, tags.team, attributes.status or datasets.name');
    }
    this.advance();
    const parts = token.parts ?? [token.value];
    const [first, second] = parts as [string, string | undefined];
    let entity: FilterEntity = 'attribute';
    let key = first;
    if (second !== undefined) {
      const named = Object.hasOwn(ENTITY_NAMES, first) ? ENTITY_NAMES[first] : undefined;
      if (named === undefined) this.fail(`unknown entity "${first}": use metrics, params, tags, attributes or datasets`, token);
      entity = named;
      key = second;
    }
    if (key === '') this.fail('the field has no key after the dot', token);
    if (entity === 'attribute') {
      key = (Object.hasOwn(ATTRIBUTE_ALIASES, key) ? ATTRIBUTE_ALIASES[key] : undefined) ?? key;
      if (!Object.hasOwn(RUN_ATTRIBUTES, key)) this.fail(`unknown attribute "${key}": one of ${Object.keys(RUN_ATTRIBUTES).join(', ')}`, token);
    }
    if (entity === 'dataset' && !(DATASET_FIELDS as readonly string[]).includes(key)) {
      this.fail(`unknown dataset field "${key}": one of ${DATASET_FIELDS.join(', ')}`, token);
    }
    return { entity, key };
  }

  parseComparator(field: FilterField): Comparator {
    const token = this.current;
    let comparator: Comparator | undefined;
    if (token.kind === 'operator') comparator = token.value as Comparator;
    else if (token.kind === 'keyword' && ['LIKE', 'ILIKE', 'IN'].includes(token.value)) comparator = token.value as Comparator;
    else if (this.isKeyword('NOT') && this.tokens[this.index + 1]?.kind === 'keyword' && this.tokens[this.index + 1]?.value === 'IN') {
      this.advance();
      comparator = 'NOT IN';
    }
    if (comparator === undefined) this.fail('expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN)');
    const numeric = isNumericField(field);
    if (numeric && (comparator === 'LIKE' || comparator === 'ILIKE')) this.fail(`${comparator} compares strings, but ${describeField(field)} holds numbers`, token);
    if (!numeric && ORDER_COMPARATORS.includes(comparator)) this.fail(`${comparator} compares numbers, but ${describeField(field)} holds strings: use =, !=, LIKE, ILIKE or IN`, token);
    this.advance();
    return comparator;
  }

  parseValue(field: FilterField): FilterValue {
    const token = this.current;
    const numeric = isNumericField(field);
    if (token.kind === 'number' && numeric) {
      this.advance();
      return Number(token.value);
    }
    if (token.kind === 'string' && !numeric) {
      this.advance();
      return token.value;
    }
    if (numeric) this.fail(`${describeField(field)} holds numbers: expected a number such as 0.8`);
    this.fail(`${describeField(field)} holds strings: expected a quoted value such as '0.1'`);
  }

  parseComparison(): FilterComparison {
    if (++this.comparisons > FILTER_LIMITS.comparisons) throw filterLimitError(this.source, 'comparisons', this.comparisons);
    const field = this.parseField();
    const comparator = this.parseComparator(field);
    if (comparator !== 'IN' && comparator !== 'NOT IN') return { kind: 'comparison', field, comparator, value: this.parseValue(field) };
    if (this.kind() !== '(') this.fail(`expected ( to open the list of ${comparator}`);
    this.advance();
    const values = [this.parseValue(field)];
    while (this.kind() === ',') {
      this.advance();
      values.push(this.parseValue(field));
      if (this.listValues + values.length > FILTER_LIMITS.listValues) throw filterLimitError(this.source, 'listValues', Infinity);
    }
    this.listValues += values.length;
    if (this.kind() !== ')') this.fail(`expected , or ) in the list of ${comparator}`);
    this.advance();
    return { kind: 'comparison', field, comparator, value: values };
  }

  parseOrder(): RunOrder {
    const field = this.parseField();
    if (field.entity === 'dataset') this.fail('runs cannot be ordered by a dataset field', this.tokens[this.index - 1]);
    let direction: 'asc' | 'desc' = 'asc';
    if (this.isKeyword('ASC') || this.isKeyword('DESC')) direction = this.advance().value === 'DESC' ? 'desc' : 'asc';
    return { field, direction };
  }
}

function describeField(field: FilterField): string {
  const entity = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes', dataset: 'datasets' }[field.entity];
  return `${entity}.${field.key}`;
}

/** Parses a filter; an empty or blank filter matches every run (undefined). */
export function parseFilter(text: string): FilterExpression | undefined {
  checkFilterLength(text, 'filter');
  const tokens = tokenize(text, 'filter');
  const parser = new Parser(tokens, 'filter');
  if (parser.kind() === 'end') return undefined;
  const expression = parser.parseDisjunction();
  parser.expectEnd();
  return expression;
}

/** Parses orderings: each string may hold several, comma-separated (`metrics.auc DESC, params.lr`). */
export function parseOrderBy(clauses: string | readonly string[]): RunOrder[] {
  const orders: RunOrder[] = [];
  for (const clause of typeof clauses === 'string' ? [clauses] : clauses) {
    checkFilterLength(clause, 'orderBy');
    const parser = new Parser(tokenize(clause, 'orderBy'), 'orderBy');
    if (parser.kind() === 'end') continue;
    orders.push(parser.parseOrder());
    if (orders.length > FILTER_LIMITS.orderings) throw filterLimitError('orderBy', 'orderings', orders.length);
    while (parser.kind() === ',') {
      parser.advance();
      orders.push(parser.parseOrder());
      if (orders.length > FILTER_LIMITS.orderings) throw filterLimitError('orderBy', 'orderings', orders.length);
    }
    if (parser.kind() !== 'end') parser.fail('expected ASC, DESC, a comma or the end of the ordering');
  }
  return orders;
}
