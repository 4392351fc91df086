/**
 * The models a prediction service answers with, by reference: `NAME` (the `champion` alias when the model
 * has one, else its latest version), `NAME@ALIAS` or `NAME/VERSION`. A version is loaded once (model file
 * read, trees compiled) and shared by every reference to it. The registry's event list is polled: when an
 * alias moves or a version goes, the references of that model are resolved again, the new version is
 * loaded completely, and only then does the reference switch, so no request waits for a load or fails
 * during the switch; requests already running finish on the version they started with.
 */
import { readFile } from 'node:fs/promises';
import { MlcycleError } from '../error.js';
import { parseModel, type SavedModel } from '../models/model-format.js';
import { predictModel } from '../models/predict-model.js';
import type { ModelInput } from '../models/input-signature.js';
import { preparePrediction } from '../models/trees/tree-ensemble.js';
import type { ModelRegistry, ModelVersion } from '../store/model-registry.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { RunStore } from '../store/run-store.js';
import { artifactFile } from '../tracking/run-artifacts.js';

/** The version tag that holds a classifier's decision threshold (act when score >= threshold). */
export const DECISION_THRESHOLD_TAG = 'mlcycle.decision_threshold';

/** A loaded model version, ready to predict. */
export interface ServedVersion {
  model: string;
  version: number;
  /** Outputs per row: 1 for binary classifiers and regressors, the class count for multiclass. */
  outputs: number;
  /** The decision threshold of a binary classifier, when the version has one. */
  threshold?: number;
  saved: SavedModel;
  predict(input: ModelInput): Float64Array;
}

export interface ModelSource {
  registry: ModelRegistry;
  runs: RunStore;
  artifacts: ArtifactStore;
}

type Choice = { alias: string } | { version: number } | { champion: true };

/** Splits a served reference into model name and choice; a malformed one is a 400. */
export function parseServedRef(ref: string): { model: string; choice: Choice } {
  const slash = ref.lastIndexOf('/');
  const at = ref.lastIndexOf('@');
  if (slash > 0 && /^\d+$/.test(ref.slice(slash + 1))) return { model: ref.slice(0, slash), choice: { version: Number(ref.slice(slash + 1)) } };
  if (at > 0 && at < ref.length - 1) return { model: ref.slice(0, at), choice: { alias: ref.slice(at + 1) } };
  if (ref === '' || at >= 0 || slash >= 0) throw new MlcycleError('invalid_input', `model reference "${ref.slice(0, 200)}": expected NAME, NAME@ALIAS or NAME/VERSION`, { issues: [{ path: 'model', message: 'expected NAME, NAME@ALIAS or NAME/VERSION' }] });
  return { model: ref, choice: { champion: true } };
}

/** Loaded versions by reference, kept current with the registry. */
export class ServedModels {
  private readonly byRef = new Map<string, ServedVersion>();
  private readonly versions = new Map<string, Promise<ServedVersion>>();
  private readonly loading = new Map<string, Promise<ServedVersion>>();
  private lastEventId = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly source: ModelSource,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** The version a reference names now: from memory when loaded, else resolved and loaded. */
  get(ref: string): ServedVersion | Promise<ServedVersion> {
    const served = this.byRef.get(ref);
    if (served !== undefined) return served;
    let pending = this.loading.get(ref);
    if (pending === undefined) {
      pending = this.resolve(ref).then(
        (version) => {
          this.byRef.set(ref, version);
          this.loading.delete(ref);
          return version;
        },
        (error: unknown) => {
          this.loading.delete(ref);
          throw error;
        },
      );
      this.loading.set(ref, pending);
    }
    return pending;
  }

  /** The references currently served, with their versions. */
  list(): { ref: string; model: string; version: number }[] {
    return [...this.byRef].map(([ref, served]) => ({ ref, model: served.model, version: served.version }));
  }

  /** Starts following the registry: every `intervalMs`, new events re-resolve the references they touch. */
  async follow(intervalMs = 200): Promise<void> {
    const events = await this.source.registry.listEvents();
    this.lastEventId = events.at(-1)?.id ?? 0;
    this.timer = setInterval(() => {
      this.polling ??= this.poll()
        .catch(this.onError)
        .finally(() => {
          this.polling = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  /** Applies registry events now (the poll does this on its own); for tests and webhook nudges. */
  async poll(): Promise<void> {
    const events = await this.source.registry.listEvents({ afterId: this.lastEventId });
    if (events.length === 0) return;
    this.lastEventId = events.at(-1)?.id ?? this.lastEventId;
    const touched = new Set(events.map((event) => event.model));
    for (const [ref, served] of [...this.byRef]) {
      if (!touched.has(served.model)) continue;
      try {
        const next = await this.resolve(ref);
        this.byRef.set(ref, next);
      } catch (error) {
        // The reference no longer resolves (its alias or version is gone): later requests get the 404.
        if (error instanceof MlcycleError && error.code === 'not_found') this.byRef.delete(ref);
        else this.onError(error);
      }
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async resolve(ref: string): Promise<ServedVersion> {
    const { model, choice } = parseServedRef(ref);
    const registered = await this.source.registry.findModel(model);
    if (registered === undefined) throw new MlcycleError('not_found', `no registered model "${model.slice(0, 200)}"`, { issues: [{ path: 'model', message: 'unknown model' }] });
    let number: number | undefined;
    if ('version' in choice) number = choice.version;
    else if ('alias' in choice) {
      number = registered.aliases[choice.alias];
      if (number === undefined) throw new MlcycleError('not_found', `model "${model}" has no alias "${choice.alias.slice(0, 200)}"`, { issues: [{ path: 'model', message: 'unknown alias' }] });
    } else number = registered.aliases.champion ?? registered.latestVersion;
    const version = number === undefined ? undefined : await this.source.registry.findVersion(model, number);
    if (version === undefined) throw new MlcycleError('not_found', `model "${model}" has no version ${number ?? '(none registered)'}`, { issues: [{ path: 'model', message: 'unknown version' }] });
    return this.load(version);
  }

  private load(version: ModelVersion): Promise<ServedVersion> {
    // The decision threshold is part of the key: a new threshold tag (a rollout chose it again) loads anew.
    const prefix = `${version.model}/${version.version}\u0000`;
    const key = `${prefix}${version.tags[DECISION_THRESHOLD_TAG] ?? ''}`;
    let loaded = this.versions.get(key);
    if (loaded === undefined) {
      for (const other of [...this.versions.keys()]) if (other.startsWith(prefix)) this.versions.delete(other);
      loaded = loadVersion(this.source, version);
      loaded.catch(() => this.versions.delete(key));
      this.versions.set(key, loaded);
    }
    return loaded;
  }
}

async function loadVersion(source: ModelSource, version: ModelVersion): Promise<ServedVersion> {
  const files = await source.runs.findArtifacts(version.runId, version.source);
  const file = files.find((candidate) => candidate.path === version.source) ?? files.find((candidate) => candidate.path.endsWith('/model.json')) ?? (files.length === 1 ? files[0] : undefined);
  const uri = `models:/${version.model}/${version.version}`;
  if (file === undefined) throw new MlcycleError('not_found', `${uri}: run ${version.runId} holds no model file under "${version.source}"`);
  const { file: local } = await artifactFile(source, version.runId, file.path);
  const saved = parseModel(await readFile(local, 'utf8'), `${uri} (${file.path})`);
  // Packed (or compiled) now, so that the first request does not pay for it.
  if (saved.kind !== 'linear') preparePrediction(saved.ensemble);
  const outputs = saved.kind === 'linear' ? 1 : saved.ensemble.outputs;
  const tagged = version.tags[DECISION_THRESHOLD_TAG];
  const recorded = (saved.training as { decisionThreshold?: unknown } | undefined)?.decisionThreshold;
  const threshold = tagged !== undefined && Number.isFinite(Number(tagged)) ? Number(tagged) : typeof recorded === 'number' ? recorded : undefined;
  return {
    model: version.model,
    version: version.version,
    outputs,
    ...(threshold === undefined || outputs !== 1 ? {} : { threshold }),
    saved,
    predict: (input) => predictModel(saved, input),
  };
}
