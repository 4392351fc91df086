/**
 * Score drift against the offline evaluation: a model version's live scores binned as its latest offline
 * evaluation binned its scores (the reliability diagram's ten equal-width bins, as scikit-learn's
 * `calibration_curve(strategy="uniform")`), and the population stability index between the two
 * (stats/drift-tests.ts, empty shares filled as Evidently fills them). A PSI under 0.1 is read as no
 * shift, 0.1 to 0.25 as moderate, above 0.25 as significant (the credit-scoring rule of thumb).
 */
import { readFile } from 'node:fs/promises';
import { fillZeroShares, populationStabilityIndex } from '../stats/drift-tests.js';
import type { Workspace } from '../store/workspace.js';

export interface ScoreBin {
  lower: number;
  upper: number;
  weight: number;
}

export interface OfflineScores {
  evaluation: number;
  dataset: string;
  bins: ScoreBin[];
  /** The version's ROC AUC in that evaluation (binary tasks). */
  rocAuc: number | null;
}

/** The score bins of `models:/MODEL/VERSION` in the newest evaluation that evaluated it, if any. */
export async function offlineScoreBins(workspace: Pick<Workspace, 'evaluations' | 'artifacts'>, model: string, version: number): Promise<OfflineScores | undefined> {
  const name = `models:/${model}/${version}`;
  for (const record of await workspace.evaluations.list()) {
    const mentions = [record.candidate, record.champion].some((ref) => ref?.model === model && ref.version === version);
    if (!mentions) continue;
    const document = JSON.parse(await readFile(await workspace.artifacts.localCopy(record.artifactKey), 'utf8')) as { evaluation?: { models?: { name: string; metrics?: { roc_auc?: { estimate?: number } }; curves?: { binary?: { calibration?: ScoreBin[] } } }[] } };
    const entry = document.evaluation?.models?.find((each) => each.name === name);
    const bins = entry?.curves?.binary?.calibration;
    if (bins !== undefined && bins.length > 1) return { evaluation: record.id, dataset: record.dataset, bins: bins.map(({ lower, upper, weight }) => ({ lower, upper, weight })), rocAuc: entry?.metrics?.roc_auc?.estimate ?? null };
  }
  return undefined;
}

/** The population stability index of live scores against offline bins (offline as the reference). */
export function scorePsi(bins: readonly ScoreBin[], scores: ArrayLike<number>): number {
  const live = new Float64Array(bins.length);
  for (let index = 0; index < scores.length; index++) {
    const score = scores[index] as number;
    let bin = bins.findIndex((each) => score < each.upper);
    if (bin < 0) bin = bins.length - 1;
    live[bin] = (live[bin] as number) + 1;
  }
  const offlineTotal = bins.reduce((sum, bin) => sum + bin.weight, 0);
  const reference = fillZeroShares(Float64Array.from(bins, (bin) => bin.weight / offlineTotal));
  const current = fillZeroShares(live.map((count) => count / scores.length));
  return populationStabilityIndex(reference, current);
}
