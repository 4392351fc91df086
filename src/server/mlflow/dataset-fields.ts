/**
 * The parts of an MLflow dataset (service.proto `Dataset`, MLflow 2.22) kept as sent beside its name and
 * digest: `source_type`, `schema` and `profile`. Sizes as MLflow's dataset columns allow
 * (mlflow/store/tracking/dbmodels/models.py: source_type String(36), schema MEDIUMTEXT, profile MEDIUMTEXT).
 */
import { MlcycleError } from '../../error.js';
import type { RunInput } from '../../store/run-store.js';
import { optionalString, type Fields } from './request-fields.js';

const LIMITS = { source_type: 36, schema: 16_777_215, profile: 16_777_215 } as const;

/** The dataset's source type, schema and profile, each checked against MLflow's column size. */
export function datasetDescription(dataset: Fields, index: number): Pick<RunInput, 'sourceType' | 'schema' | 'profile'> {
  const values: Record<string, string> = {};
  for (const [field, limit] of Object.entries(LIMITS)) {
    const value = optionalString(dataset, field);
    if (value === undefined || value === '') continue;
    if (value.length > limit) throw new MlcycleError('invalid_input', `datasets[${index}].dataset.${field}: has ${value.length} characters, more than the limit of ${limit}`);
    values[field] = value;
  }
  return {
    ...(values.source_type === undefined ? {} : { sourceType: values.source_type }),
    ...(values.schema === undefined ? {} : { schema: values.schema }),
    ...(values.profile === undefined ? {} : { profile: values.profile }),
  };
}
