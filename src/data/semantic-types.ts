/**
 * Semantic types beyond storage types. The rules, applied in order to a column's statistics:
 * - BOOLEAN storage is boolean; DATE and TIMESTAMP storage is datetime; FLOAT, DOUBLE and DECIMAL are numeric.
 * - Integer storage holding only 0 and 1 is boolean. Integer storage is an identifier when it is
 *   near-unique (at least 95% distinct among at least 20 values) and either named like an id
 *   (`id`, `..._id`, `key`, `uuid`, `code`) or dense (its range is at most 1.5 times its distinct count,
 *   as row numbers are); otherwise it is integer.
 * - Strings of three or more words on average, mostly distinct (over 50%), are text; other near-unique
 *   strings (at least 95% distinct among at least 20 values) are identifiers; the rest are categorical.
 * The thresholds follow ydata-profiling's habit of calling near-unique columns identifiers ("UNIQUE") and
 * many-worded free strings text.
 */
import type { SqlValue } from '../store/analytics.js';
import type { SemanticType } from '../store/dataset-store.js';

export interface ColumnFacts {
  name: string;
  storageType: string;
  nonNull: number;
  distinct: number;
  /** True when `distinct` is a HyperLogLog estimate rather than an exact count. */
  distinctApproximate?: boolean;
  min: SqlValue;
  max: SqlValue;
  /** Strings only: the mean number of spaces per value. */
  meanSpaces?: number;
}

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const NUMERIC_TYPES = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;
const TEMPORAL_TYPES = /^(DATE|TIMESTAMP.*|TIME.*)$/;
const ID_NAME = /(^|[_\s.-])(id|key|uuid|code)$|^id[_\s.-]/i;

/** Whether a storage type holds whole numbers. */
export function isIntegerStorage(storageType: string): boolean {
  return INTEGER_TYPES.test(storageType);
}

/** Whether a storage type holds numbers of any kind. */
export function isNumericStorage(storageType: string): boolean {
  return INTEGER_TYPES.test(storageType) || NUMERIC_TYPES.test(storageType);
}

/** Whether a storage type holds dates or times. */
export function isTemporalStorage(storageType: string): boolean {
  return TEMPORAL_TYPES.test(storageType);
}

/** At least 95% distinct; an estimate gets the few percent of HyperLogLog's error as slack. */
function nearUnique(facts: ColumnFacts): boolean {
  const share = facts.distinctApproximate === true ? 0.9 : 0.95;
  return facts.nonNull >= 20 && facts.distinct >= share * facts.nonNull;
}

/** Infers a column's semantic type from its statistics (rules in the file comment). */
export function inferSemanticType(facts: ColumnFacts): SemanticType {
  const type = facts.storageType;
  if (type === 'BOOLEAN') return 'boolean';
  if (isTemporalStorage(type)) return 'datetime';
  if (NUMERIC_TYPES.test(type)) return 'numeric';
  if (INTEGER_TYPES.test(type)) {
    if (facts.distinct <= 2 && facts.nonNull > 0 && Number(facts.min) >= 0 && Number(facts.max) <= 1) return 'boolean';
    const range = Number(facts.max) - Number(facts.min) + 1;
    if (nearUnique(facts) && (ID_NAME.test(facts.name) || range <= 1.5 * facts.distinct)) return 'identifier';
    return 'integer';
  }
  if (type === 'VARCHAR') {
    const manyWords = (facts.meanSpaces ?? 0) >= 2;
    if (manyWords && facts.distinct > 0.5 * facts.nonNull) return 'text';
    if (nearUnique(facts)) return manyWords ? 'text' : 'identifier';
    return 'categorical';
  }
  return 'text';
}
