/**
 * The event log: every served prediction, exposure and business event (an outcome such as "rebooked"),
 * appended once and read by analysis. One flat record shape for every kind, so that a single SQL relation
 * holds them all and experiments, rollouts and monitors aggregate with the same queries (DESIGN.md
 * section 7). Backends: append-only segments on local disk (store/local-events/), later shared storage.
 */

/**
 * `error`: a routed request whose arm could not answer it (the model failed to load or refused the row);
 * it carries the request, unit, model and version, the error's code as `name` and its latency, so that a
 * rollout's health gate can count a candidate's failures.
 */
export const EVENT_TYPES = ['prediction', 'exposure', 'outcome', 'error'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One record of the log. Absent fields are stored as NULL. */
export interface EventRecord {
  type: EventType;
  /** When it happened, ISO 8601 in UTC. */
  time: string;
  /** The unit of randomisation (a user, a flight), when known. */
  unit?: string;
  /** Predictions and exposures: the request that produced them. */
  requestId?: string;
  /** Predictions: the model and version that answered. */
  model?: string;
  version?: number;
  /** Predictions: the first output (the positive class's probability for binary classifiers). */
  score?: number;
  /** Predictions with several outputs: all of them, as JSON. */
  scores?: string;
  /** Predictions: 1 when the score reached the version's decision threshold, else 0. */
  decision?: number;
  latencyMs?: number;
  /** The request's inputs as JSON (`log.inputs: full`) or their SHA-256 (`digest`). */
  inputs?: string;
  inputsDigest?: string;
  /** Outcomes and other business events: the event's name and value. */
  name?: string;
  value?: number;
  /** A client's key: the same key twice is stored once. */
  idempotencyKey?: string;
  /** Exposures: the experiment or rollout, its phase and arm; attributes of the request as JSON. */
  experiment?: string;
  phase?: number;
  arm?: string;
  attributes?: string;
}

/** The columns of the log's SQL relation, in order, with their SQL types and record fields. */
export const EVENT_COLUMNS = [
  { column: 'type', sql: 'VARCHAR', field: 'type' },
  { column: 'time', sql: 'TIMESTAMPTZ', field: 'time' },
  { column: 'unit', sql: 'VARCHAR', field: 'unit' },
  { column: 'request_id', sql: 'VARCHAR', field: 'requestId' },
  { column: 'model', sql: 'VARCHAR', field: 'model' },
  { column: 'version', sql: 'INTEGER', field: 'version' },
  { column: 'score', sql: 'DOUBLE', field: 'score' },
  { column: 'scores', sql: 'VARCHAR', field: 'scores' },
  { column: 'decision', sql: 'INTEGER', field: 'decision' },
  { column: 'latency_ms', sql: 'DOUBLE', field: 'latencyMs' },
  { column: 'inputs', sql: 'VARCHAR', field: 'inputs' },
  { column: 'inputs_digest', sql: 'VARCHAR', field: 'inputsDigest' },
  { column: 'name', sql: 'VARCHAR', field: 'name' },
  { column: 'value', sql: 'DOUBLE', field: 'value' },
  { column: 'idempotency_key', sql: 'VARCHAR', field: 'idempotencyKey' },
  { column: 'experiment', sql: 'VARCHAR', field: 'experiment' },
  { column: 'phase', sql: 'INTEGER', field: 'phase' },
  { column: 'arm', sql: 'VARCHAR', field: 'arm' },
  { column: 'attributes', sql: 'VARCHAR', field: 'attributes' },
] as const satisfies readonly { column: string; sql: string; field: keyof EventRecord }[];

/** How much an acknowledged append survives. */
export type EventDurability =
  /** The records reached the operating system before `append` resolved: they survive a killed process. */
  | 'process'
  /** They reached the disk (fsync, shared by every append waiting at that moment): they survive power loss. */
  | 'fsync';

/** Size and state of the log, for metrics and the board. */
export interface EventLogStats {
  /** Records appended but not yet acknowledged. */
  pending: number;
  /** Bytes on disk (segments and sealed files). */
  bytes: number;
  /** Files the log spans now. */
  files: number;
}

/** Appends to the log. One writer per log at a time. */
export interface EventWriter {
  readonly durability: EventDurability;
  /**
   * Appends records; resolves once they are durable as `durability` says. Records carrying an
   * idempotency key already in the log are skipped; the result counts what was written.
   */
  append(records: readonly EventRecord[]): Promise<{ written: number; duplicates: number }>;
  stats(): EventLogStats;
  /** Seals and compacts what is due and deletes what retention allows; the writer runs it on a timer too. */
  maintain(now?: Date): Promise<void>;
  /** Writes what is pending, stops the timers, releases the writer's lock. */
  close(): Promise<void>;
}

/** Records of one type, name, model and version: how many, and their first and last times. */
export interface EventSummaryRow {
  type: EventType;
  name: string | null;
  model: string | null;
  version: number | null;
  records: number;
  first: string;
  last: string;
}

/** Reads the log for analysis: a SQL relation over every record, for the analytics engine. */
export interface EventReader {
  /** Counts by type, name, model and version (the board's evidence); empty for an empty log. */
  summary(): Promise<EventSummaryRow[]>;
  /**
   * A DuckDB table expression (to use as `FROM (...)`) over every record written so far, with the columns
   * of EVENT_COLUMNS; the files it names stay readable until `release` is called.
   */
  relation(): Promise<{ sql: string; release(): void }>;
}

/** How a writer is opened: durability, retention, and how often it maintains its files on its own. */
export interface EventWriterOptions {
  durability?: EventDurability;
  retentionDays?: number;
  maintainIntervalMs?: number;
}
