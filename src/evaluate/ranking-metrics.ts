/**
 * Ranking metrics over rows grouped by query: NDCG@k (scikit-learn's `ndcg_score`, linear gains, tied
 * scores averaged as McSherry and Najork 2008), MAP@k and MRR. Each query's score is averaged over queries,
 * weighted by the query's weight (the weight of its first row, as `ndcg_score`'s per-query sample weight).
 */
import { MlcycleError } from '../error.js';
import { weightOf, type SampleWeights } from '../metrics/score-order.js';

/** Rows of one query: relevance (>= 0) and scores, in row order. */
interface Query {
  relevance: number[];
  scores: number[];
  weight: number;
}

/** Splits rows into queries in order of first appearance. */
export function groupByQuery(relevance: ArrayLike<number>, scores: ArrayLike<number>, queries: ArrayLike<string | number>, weights?: SampleWeights): Query[] {
  if (relevance.length === 0) throw new MlcycleError('invalid_input', 'no rows to evaluate');
  if (scores.length !== relevance.length || queries.length !== relevance.length) {
    throw new MlcycleError('invalid_input', `${relevance.length} relevance labels, ${scores.length} scores and ${queries.length} query ids: expected one of each per row`);
  }
  const byId = new Map<string | number, Query>();
  for (let row = 0; row < relevance.length; row++) {
    const label = relevance[row] as number;
    if (!(label >= 0 && Number.isFinite(label))) throw new MlcycleError('invalid_input', `relevance of row ${row} must be a finite number of at least 0 (${label})`);
    if (!Number.isFinite(scores[row])) throw new MlcycleError('invalid_input', `score of row ${row} is not a finite number (${scores[row]})`);
    const id = queries[row] as string | number;
    let query = byId.get(id);
    if (query === undefined) byId.set(id, (query = { relevance: [], scores: [], weight: weightOf(weights, row) }));
    query.relevance.push(label);
    query.scores.push(scores[row] as number);
  }
  return [...byId.values()];
}

function weightedAverage(queries: readonly Query[], score: (query: Query) => number): number {
  let sum = 0;
  let total = 0;
  for (const query of queries) {
    sum += query.weight * score(query);
    total += query.weight;
  }
  return sum / total;
}

/** Positions 1..n discounted by 1 / log2(position + 1), zero beyond k; cumulated. */
function cumulativeDiscounts(length: number, k: number): Float64Array {
  const cumulative = new Float64Array(length);
  let sum = 0;
  for (let position = 0; position < length; position++) {
    if (position < k) sum += 1 / Math.log2(position + 2);
    cumulative[position] = sum;
  }
  return cumulative;
}

/** DCG@k with tied scores sharing their positions' discounts evenly (scikit-learn's `_tie_averaged_dcg`). */
function tieAveragedDcg(relevance: readonly number[], scores: readonly number[], k: number): number {
  const order = scores.map((_, index) => index).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const discounts = cumulativeDiscounts(order.length, k);
  let dcg = 0;
  let start = 0;
  while (start < order.length) {
    let end = start;
    let gain = 0;
    while (end < order.length && scores[order[end] as number] === scores[order[start] as number]) gain += relevance[order[end++] as number] as number;
    const discount = (discounts[end - 1] as number) - (start === 0 ? 0 : (discounts[start - 1] as number));
    dcg += (gain / (end - start)) * discount;
    start = end;
  }
  return dcg;
}

function ndcgOfQuery(query: Query, k: number): number {
  const ideal = [...query.relevance].sort((a, b) => b - a);
  const discounts = cumulativeDiscounts(ideal.length, k);
  let idealDcg = 0;
  for (let position = 0; position < ideal.length; position++) idealDcg += (ideal[position] as number) * ((discounts[position] as number) - (position === 0 ? 0 : (discounts[position - 1] as number)));
  return idealDcg === 0 ? 0 : tieAveragedDcg(query.relevance, query.scores, k) / idealDcg;
}

/** NDCG@k per query averaged (`ndcg_score(k=k)` on each query); a query with no relevant row scores 0. */
export function ndcgAtK(relevance: ArrayLike<number>, scores: ArrayLike<number>, queries: ArrayLike<string | number>, k: number, weights?: SampleWeights): number {
  return weightedAverage(groupByQuery(relevance, scores, queries, weights), (query) => ndcgOfQuery(query, k));
}

/** Row positions by descending score; ties keep row order (stated, since AP and RR depend on it). */
function rankedRelevance(query: Query): number[] {
  return query.scores
    .map((_, index) => index)
    .sort((a, b) => (query.scores[b] as number) - (query.scores[a] as number) || a - b)
    .map((index) => query.relevance[index] as number);
}

/**
 * MAP@k: per query, the mean over relevant rows (relevance > 0) in the top k of the precision at their
 * position, divided by min(relevant rows, k) (the common `apk` definition); 0 without relevant rows.
 * Tied scores keep row order.
 */
export function meanAveragePrecisionAtK(relevance: ArrayLike<number>, scores: ArrayLike<number>, queries: ArrayLike<string | number>, k: number, weights?: SampleWeights): number {
  return weightedAverage(groupByQuery(relevance, scores, queries, weights), (query) => {
    const ranked = rankedRelevance(query);
    const relevant = ranked.filter((label) => label > 0).length;
    if (relevant === 0) return 0;
    let hits = 0;
    let sum = 0;
    for (let position = 0; position < Math.min(k, ranked.length); position++) {
      if ((ranked[position] as number) > 0) sum += ++hits / (position + 1);
    }
    return sum / Math.min(relevant, k);
  });
}

/** Mean reciprocal rank of each query's first relevant row (relevance > 0); 0 without one. Ties keep row order. */
export function meanReciprocalRank(relevance: ArrayLike<number>, scores: ArrayLike<number>, queries: ArrayLike<string | number>, weights?: SampleWeights): number {
  return weightedAverage(groupByQuery(relevance, scores, queries, weights), (query) => {
    const first = rankedRelevance(query).findIndex((label) => label > 0);
    return first < 0 ? 0 : 1 / (first + 1);
  });
}
