/** Filters and orderings back to text that `parseFilter` and `parseOrderBy` read as the same AST. */
import type { FilterExpression, FilterField, FilterValue, RunOrder } from '../../store/run-filter.js';

const ENTITY_PREFIX = { metric: 'metrics', param: 'params', tag: 'tags', attribute: 'attributes', dataset: 'datasets' } as const;

/** `metrics.auc`, or ``metrics.`val loss` `` when the key needs quoting. */
export function formatField(field: FilterField): string {
  const bare = /^[A-Za-z0-9_/-][A-Za-z0-9_/.-]*$/.test(field.key) && !field.key.endsWith('.');
  return `${ENTITY_PREFIX[field.entity]}.${bare ? field.key : `\`${field.key.replaceAll('`', '``')}\``}`;
}

function formatValue(value: FilterValue): string {
  return typeof value === 'number' ? String(value) : `'${value.replaceAll("'", "''")}'`;
}

/** The filter as text; operands of an OR inside an AND are parenthesised. */
export function formatFilter(expression: FilterExpression): string {
  if (expression.kind === 'comparison') {
    const { field, comparator, value } = expression;
    const right = Array.isArray(value) ? `(${value.map(formatValue).join(', ')})` : formatValue(value as FilterValue);
    return `${formatField(field)} ${comparator} ${right}`;
  }
  const joiner = expression.kind === 'and' ? ' AND ' : ' OR ';
  return expression.operands.map((operand) => (operand.kind === 'comparison' ? formatFilter(operand) : `(${formatFilter(operand)})`)).join(joiner);
}

/** Orderings as one comma-separated text. */
export function formatOrderBy(orders: readonly RunOrder[]): string {
  return orders.map((order) => `${formatField(order.field)} ${order.direction.toUpperCase()}`).join(', ');
}
