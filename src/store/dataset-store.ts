/** Dataset versions and their validation results: what every later result points back to. */
import type { SqlValue } from './analytics.js';
import type { ChangeContext } from './audit-log.js';

export const SEMANTIC_TYPES = ['numeric', 'integer', 'boolean', 'categorical', 'datetime', 'text', 'identifier'] as const;
export type SemanticType = (typeof SEMANTIC_TYPES)[number];

export interface ColumnSchema {
  name: string;
  /** The engine's storage type, e.g. BIGINT, DOUBLE, VARCHAR, TIMESTAMP. */
  storageType: string;
  /** The type mlcycle uses: the override from mlcycle.yaml if any, else the inferred one. */
  semanticType: SemanticType;
  inferredType: SemanticType;
  overridden: boolean;
  nonNull: number;
  distinct: number;
  /** True when `distinct` is an estimate (HyperLogLog), for large high-cardinality columns. */
  distinctApproximate?: boolean;
  min: SqlValue;
  max: SqlValue;
}

/** Where a version's data came from: a file, or parent versions and the transformation applied to them. */
export interface DatasetLineage {
  source?: { path: string; size: number; modifiedAt: string; format: string; options: Record<string, SqlValue> };
  parents?: { ref: string; hash: string }[];
  transformation?: Record<string, SqlValue>;
}

export interface DatasetVersion {
  dataset: string;
  /** 1, 2, 3... in registration order within the dataset. */
  number: number;
  /** `name@number`. */
  ref: string;
  /** SHA-256 of the content (source bytes and the options that shape the table). */
  hash: string;
  artifactKey: string;
  rowCount: number;
  byteSize: number;
  columns: ColumnSchema[];
  timeColumn?: string;
  lineage: DatasetLineage;
  createdAt: string;
  createdBy: string;
}

export type NewDatasetVersion = Omit<DatasetVersion, 'number' | 'ref' | 'createdAt' | 'createdBy'>;

export interface CheckOutcome {
  /** How the check reads, e.g. `age in [17, 98]`. */
  description: string;
  kind: string;
  severity: 'error' | 'warning';
  passed: boolean;
  /** What was measured, e.g. the number of failing rows. */
  observed: SqlValue;
  /** Up to five failing values, to show the user. */
  examples: SqlValue[];
  /** Set when the check could not run (a column that does not exist). */
  error?: string;
}

export interface DatasetValidation {
  id: number;
  ref: string;
  at: string;
  actor: string;
  /** True when no check of severity error failed. */
  passed: boolean;
  /** Whether the spec's target could be computed on this version. */
  targetPresent: boolean;
  specHash?: string;
  outcomes: CheckOutcome[];
}

export type NewDatasetValidation = Omit<DatasetValidation, 'id' | 'at' | 'actor'>;

/** `name@3` split into the dataset and the version number. */
export function splitVersionRef(ref: string): { dataset: string; number: number } {
  const at = ref.lastIndexOf('@');
  return { dataset: ref.slice(0, at), number: Number(ref.slice(at + 1)) };
}

/** How a version is chosen: its number, `latest`, or a prefix of its content hash. */
export type VersionSelector = number | 'latest' | { hashPrefix: string };

export interface DatasetStore {
  listDatasets(): Promise<{ name: string; versions: number; latest: DatasetVersion }[]>;
  listVersions(dataset: string): Promise<DatasetVersion[]>;
  findVersion(dataset: string, selector: VersionSelector): Promise<DatasetVersion | undefined>;
  findByHash(dataset: string, hash: string): Promise<DatasetVersion | undefined>;
  /** Registers versions, each with its dataset's next number, and audits them, all in one transaction or none. */
  registerVersions(versions: readonly NewDatasetVersion[], context: ChangeContext): Promise<DatasetVersion[]>;
  recordValidation(validation: NewDatasetValidation, context: ChangeContext): Promise<DatasetValidation>;
  latestValidation(ref: string): Promise<DatasetValidation | undefined>;
  /** The newest validation of every version, newest first. */
  latestValidations(): Promise<DatasetValidation[]>;
}
