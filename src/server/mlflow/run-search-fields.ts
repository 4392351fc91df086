/**
 * MLflow keeps a run's name and parent in the tags `mlflow.runName` and `mlflow.parentRunId`; mlcycle keeps
 * them as run attributes. Filters and orderings that name the tags are rewritten to the attributes, so that
 * `tags.mlflow.parentRunId = '...'` (how MLflow's UI and users find nested runs) and `tags.mlflow.runName`
 * match what they match in MLflow.
 */
import type { FilterExpression, FilterField, RunOrder } from '../../store/run-filter.js';
import { PARENT_RUN_TAG, RUN_NAME_TAG } from './mlflow-shapes.js';

const TAG_ATTRIBUTES: Record<string, string> = { [RUN_NAME_TAG]: 'run_name', [PARENT_RUN_TAG]: 'parent_run_id' };

function attributeField(field: FilterField): FilterField {
  const attribute = field.entity === 'tag' && Object.hasOwn(TAG_ATTRIBUTES, field.key) ? TAG_ATTRIBUTES[field.key] : undefined;
  return attribute === undefined ? field : { entity: 'attribute', key: attribute };
}

/** The filter with MLflow's name and parent tags read as mlcycle's run attributes. */
export function withRunTagAttributes(filter: FilterExpression): FilterExpression {
  if (filter.kind === 'comparison') return { ...filter, field: attributeField(filter.field) };
  return { ...filter, operands: filter.operands.map(withRunTagAttributes) };
}

/** The ordering with MLflow's name and parent tags read as mlcycle's run attributes. */
export function orderWithRunTagAttributes(orderBy: readonly RunOrder[]): RunOrder[] {
  return orderBy.map((order) => ({ ...order, field: attributeField(order.field) }));
}
