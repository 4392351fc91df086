/**
 * One prediction request from parsed rows to the answer and the event records: the version predicts
 * (its input signature checked first: a 400 naming every bad field and row, and nothing logged), the
 * decision is taken at the version's threshold, and each row becomes one `prediction` record carrying
 * the inputs as `log.inputs` says.
 */
import { createHash } from 'node:crypto';
import type { InputValue } from '../models/input-signature.js';
import type { EventRecord } from '../store/event-store.js';
import type { RequestRows } from './request-rows.js';
import type { ServedVersion } from './served-models.js';

/** What a prediction record keeps of the inputs: all of them, their SHA-256, or nothing. */
export type InputLogging = 'full' | 'digest' | 'none';

export interface RowPrediction {
  score: number;
  /** Every output, for models with more than one. */
  scores?: number[];
  /** 1 when the score reached the version's threshold, else 0; only for versions with a threshold. */
  decision?: number;
  unit?: string;
}

export interface PredictionResult {
  predictions: RowPrediction[];
  records: EventRecord[];
}

/** The inputs of one row as a JSON object, whichever shape the request used. */
function rowObject(rows: RequestRows, row: number): Record<string, InputValue> {
  if (Array.isArray(rows.input)) return rows.input[row] as Record<string, InputValue>;
  const out: Record<string, InputValue> = {};
  for (const [name, column] of Object.entries(rows.input)) out[name] = (column as ArrayLike<InputValue>)[row];
  return out;
}

/** Predicts the rows with one version and builds the records to log. */
export function predictRows(served: ServedVersion, rows: RequestRows, request: { id: string; time: string; startedAt: number; now: () => number; logInputs: InputLogging }): PredictionResult {
  const scores = served.predict(rows.input);
  const latencyMs = request.now() - request.startedAt;
  const predictions: RowPrediction[] = [];
  const records: EventRecord[] = [];
  const { outputs, threshold } = served;
  for (let row = 0; row < rows.rows; row++) {
    const all = outputs === 1 ? undefined : Array.from(scores.subarray(row * outputs, (row + 1) * outputs));
    const score = scores[row * outputs] as number;
    const unit = rows.units?.[row];
    const prediction: RowPrediction = { score };
    if (all !== undefined) prediction.scores = all;
    if (threshold !== undefined) prediction.decision = score >= threshold ? 1 : 0;
    if (unit !== undefined) prediction.unit = unit;
    predictions.push(prediction);
    const record: EventRecord = {
      type: 'prediction',
      time: request.time,
      requestId: rows.rows === 1 ? request.id : `${request.id}/${row}`,
      model: served.model,
      version: served.version,
      score,
      latencyMs,
    };
    if (unit !== undefined) record.unit = unit;
    if (all !== undefined) record.scores = JSON.stringify(all);
    if (prediction.decision !== undefined) record.decision = prediction.decision;
    if (request.logInputs !== 'none') {
      const json = JSON.stringify(rowObject(rows, row));
      if (request.logInputs === 'full') record.inputs = json;
      else record.inputsDigest = createHash('sha256').update(json).digest('hex');
    }
    records.push(record);
  }
  return { predictions, records };
}
