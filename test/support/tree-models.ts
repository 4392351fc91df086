/** The LightGBM and XGBoost models of the test data, parsed, for the tests of tree prediction. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseLightgbmText } from '../../src/models/import/lightgbm-text.js';
import { parseXgboostJson } from '../../src/models/import/xgboost-json.js';
import type { TreeEnsemble } from '../../src/models/trees/tree-ensemble.js';
import { TEST_DATA } from './data-workspace.js';

/** test/data/lightgbm-models: LightGBM's own models (binary, multiclass, regression) and the flights model. */
export const LIGHTGBM_MODELS = path.join(TEST_DATA, 'lightgbm-models');

/** A LightGBM text model of test/data/lightgbm-models. */
export function lightgbmEnsemble(name: string): TreeEnsemble {
  return parseLightgbmText(readFileSync(path.join(LIGHTGBM_MODELS, name), 'utf8'), name).ensemble;
}

/** An XGBoost JSON model of test/fixtures/xgboost (made by its make-models.py). */
export function xgboostEnsemble(name: string): TreeEnsemble {
  return parseXgboostJson(readFileSync(new URL(`../fixtures/xgboost/${name}`, import.meta.url), 'utf8'), name).ensemble;
}
