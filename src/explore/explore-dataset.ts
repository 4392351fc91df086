/**
 * What `mlcycle explore` does, as one service call: the profile of a dataset version (stored, or computed
 * and stored), optionally a second one to compare with, and the HTML report written to a file. Phases:
 * profile, profile the comparison, render, write.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveDatasetRef } from '../data/dataset-ref.js';
import type { DataSpec } from '../problem/data-spec.js';
import type { AnalyticsEngine } from '../store/analytics.js';
import type { ChangeContext } from '../store/audit-log.js';
import type { Workspace } from '../store/workspace.js';
import { loadOrProfile } from './profile-dataset.js';
import type { DatasetProfile } from './profile-types.js';
import { renderComparisonReport, renderProfileReport } from './report/render-report.js';

export interface ExploreDatasetRequest {
  workspace: Workspace;
  engine: AnalyticsEngine;
  spec: DataSpec | undefined;
  /** The dataset version, `NAME` or `NAME@VERSION`. */
  ref: string;
  /** Another version to show side by side. */
  compare?: string;
  /** The target column (default: the spec's target). */
  target?: string;
  /** Compute the profile again even if one is stored. */
  refresh?: boolean;
  /** Where to write the report (default: `.mlcycle/reports/<ref>.html`). */
  reportFile?: string;
  context: ChangeContext;
  /** Told each phase as it starts. */
  progress?: (phase: string) => void;
}

export interface ExploreDatasetResult {
  profile: DatasetProfile;
  /** The profile compared with, when asked. */
  compare?: DatasetProfile;
  /** Whether the first profile was computed now rather than read back. */
  computed: boolean;
  report: string;
}

/** Profiles (or reads back) a version and its comparison, and writes the report. */
export async function exploreDataset(request: ExploreDatasetRequest): Promise<ExploreDatasetResult> {
  const { workspace, engine, spec, context } = request;
  const progress = request.progress ?? (() => undefined);
  const profileOf = async (reference: string) => {
    const version = await resolveDatasetRef(workspace.datasets, reference);
    progress(`${version.ref}`);
    const options = { now: context.now(), progress, ...(request.target === undefined ? {} : { target: request.target }), ...(request.refresh === true ? { refresh: true } : {}) };
    return loadOrProfile(engine, workspace, version, spec, options, context);
  };
  const { profile, computed } = await profileOf(request.ref);
  const other = request.compare === undefined ? undefined : (await profileOf(request.compare)).profile;
  const html = other === undefined ? await renderProfileReport(profile) : await renderComparisonReport(profile, other);
  const name = other === undefined ? profile.ref : `${profile.ref}-vs-${other.ref}`;
  const report = request.reportFile ?? path.join(workspace.stateDir, 'reports', `${name.replaceAll('@', '-')}.html`);
  await mkdir(path.dirname(report), { recursive: true });
  await writeFile(report, html);
  return { profile, ...(other === undefined ? {} : { compare: other }), computed, report };
}
