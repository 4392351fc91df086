/**
 * The JSON shapes of mlcycle's own REST API (/api/v1), shared by the server and the typed client
 * (src/client). Field names are camelCase; times are ISO 8601 strings for records (`createdAt`) and
 * milliseconds since the epoch for runs and metric points (as MLflow keeps them). Non-finite metric
 * values travel as the strings "NaN", "Infinity" and "-Infinity".
 */
import type { ModelVersion, RegisteredModel, RegistryEvent } from '../../store/model-registry.js';
import type { ArtifactEntry, Experiment, Run, RunArtifact, RunInput } from '../../store/run-store.js';
import type { DatasetVersion } from '../../store/dataset-store.js';
import type { Webhook, WebhookDelivery } from '../../store/webhook-store.js';
import type { ModelCard } from '../../tracking/registry/model-card.js';
import type { InputIssue } from '../../error.js';
import type { ProblemSpec } from '../../problem/spec-schema.js';

export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface ApiLatestMetric {
  value: JsonNumber;
  step: number;
  timestamp: number;
}

export interface ApiRun extends Omit<Run, 'metrics'> {
  metrics: Record<string, ApiLatestMetric>;
}

export interface ApiRunPage {
  runs: ApiRun[];
  /** Pass back as `pageToken` (same query) for the next page; null on the last page. */
  nextPageToken: string | null;
}

export interface ApiMetricHistory {
  key: string;
  /** Points stored; `steps`/`values` hold at most `maxPoints` of them (each bucket's minimum and maximum). */
  totalPoints: number;
  steps: number[];
  timestamps: number[];
  values: JsonNumber[];
}

export interface ApiModelDetail {
  model: RegisteredModel;
  /** Newest first. */
  versions: ModelVersion[];
}

export interface ApiLineage {
  version: ModelVersion;
  run: ApiRun;
  inputs: { input: RunInput; datasetVersion?: DatasetVersion }[];
}

export interface ApiError {
  error: { code: string; message: string; field: string | null; issues: { path: string; message: string }[] };
}

export type { ArtifactEntry, Experiment, ModelCard, ModelVersion, RegisteredModel, RegistryEvent, RunArtifact, Webhook, WebhookDelivery };

/** A metric point as clients send it to `POST /api/v1/runs/:run/log`. */
export interface ApiMetricPoint {
  key: string;
  value: JsonNumber;
  step?: number;
  /** Milliseconds since the epoch; the server's time when absent. */
  timestamp?: number;
}

/** `GET /api/v1/spec`: the workspace's mlcycle.yaml, parsed when valid, else its issues (file, line, path). */
export type ApiSpec =
  | { exists: false; file: string }
  | { exists: true; file: string; hash: string; text: string; spec: ProblemSpec | null; issues: InputIssue[] };

/** One model version as the event log saw it serve (`GET /api/v1/serving`). */
export interface ApiServedVersion {
  model: string;
  version: number;
  predictions: number;
  shadow: number;
  errors: number;
  /** Share of answered predictions with decision 1 (null without decisions). */
  alertRate: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  first: string;
  last: string;
}
