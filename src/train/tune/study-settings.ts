/**
 * A tuning study's settings as the train stage sees them: the store's study (src/store/study-store.ts)
 * with its objective typed as an `ObjectiveSpec`, and the sampler and pruner they rebuild
 * (src/optimizer/sampler-settings.ts).
 */
import type { StudyRecord as StoredStudyRecord, StudySettings as StoredStudySettings, StudyStore } from '../../store/study-store.js';
import type { ObjectiveSpec } from './objective.js';

export { makePruner, makeSampler, PRUNER_KINDS, SAMPLER_KINDS, type PrunerSettings, type SamplerSettings } from '../../optimizer/sampler-settings.js';

export type StudySettings = StoredStudySettings<ObjectiveSpec>;
export type StudyRecord = StoredStudyRecord<ObjectiveSpec>;

/** A stored study by name, its objective read back as the `ObjectiveSpec` this stage wrote (runStudy). */
export function findTuningStudy(store: StudyStore, name: string): StudyRecord | undefined {
  return store.findStudy(name) as StudyRecord | undefined;
}
