/**
 * Shared machinery of the API fuzz tests: a server whose routes are enumerated from Fastify itself
 * (onRoute), a workspace seeded with one of everything, generated and mutated requests for any route,
 * and a snapshot of the stored state to prove a rejected request wrote nothing.
 */
import fc from 'fast-check';
import type { Workspace } from '../../src/store/workspace.js';
import { apiServer } from './api-server.js';

export interface FuzzRoute {
  method: string;
  url: string;
}

/** A server on a seeded workspace and every route it registered under `prefix`. */
export async function fuzzServer(prefix: string) {
  const routes: FuzzRoute[] = [];
  const server = await apiServer('', {
    onRoute: (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url.startsWith(prefix)) routes.push({ method, url: route.url });
    },
  });
  // The two APIs are plugins: their routes are registered when the server gets ready.
  await server.app.ready();
  const { workspace, context } = server;
  const experiment = await workspace.runs.ensureExperiment('fuzz', context);
  const run = await workspace.runs.createRun({ experimentId: experiment.id, name: 'seed', startTime: 1 }, context);
  await workspace.runs.logParams(run.id, { lr: '0.1' }, context);
  await workspace.registry.createModel('churn', '', context);
  const known = { run: run.id, id: experiment.id, experiment: experiment.id, name: 'churn', version: '1', key: 'lr', alias: 'champion', '*': `${experiment.id}/${run.id}/artifacts/model.txt` };
  return { ...server, routes, known };
}

/** Everything a request can change, as one comparable value. */
export async function storedState(workspace: Workspace): Promise<string> {
  const [audit, experiments, runs, models, webhooks] = await Promise.all([
    workspace.audit.list(),
    workspace.runs.listExperiments(),
    workspace.runs.searchRuns({ lifecycle: 'all' }),
    workspace.registry.listModels(),
    workspace.webhooks.listWebhooks(),
  ]);
  return JSON.stringify({ audit: audit.length, experiments, runs: runs.runs, models, webhooks });
}

const FIELD_NAMES = ['run_id', 'experiment_id', 'name', 'key', 'value', 'timestamp', 'step', 'filter', 'max_results', 'page_token', 'params', 'tags', 'metrics', 'experiment_ids', 'order_by', 'version', 'alias', 'url', 'events', 'inputs', '__proto__', 'constructor'];
const deep = fc.integer({ min: 65, max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const strangeString = fc.oneof(fc.string(), fc.constantFrom('', '%', '%zz', '..', '../..', '\u0000', 'NaN', '-1', '1e309', "' OR 1=1 --", '(((((', 'x'.repeat(70_000)), fc.string({ unit: 'grapheme', maxLength: 30 }));
const fieldValue = fc.oneof(strangeString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));

/** A path segment for a parameter: the seeded value, a near miss, or anything at all (escaped). */
function segment(known: string | undefined) {
  return fc.oneof(
    ...(known === undefined ? [] : [fc.constant(known), fc.constant(`${known}x`)]),
    strangeString.map((text) => encodeURIComponent(text.slice(0, 200))),
    fc.constantFrom('%', '%E0%A4%A', '0', '99999999999999999999'),
  );
}

/** A request for a route: filled path, generated query, and a generated, mutated or malformed body. */
export function requestFor(route: FuzzRoute, known: Record<string, string>) {
  const names = [...route.url.matchAll(/:(\w+)|\*/g)].map((match) => match[1] ?? '*');
  const body = fc.oneof(
    fc.dictionary(fc.constantFrom(...FIELD_NAMES), fieldValue, { maxKeys: 6 }).map((fields) => JSON.stringify(fields)),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('', '{', '{"a":', 'null', '[]', '"text"', '{"__proto__":{"polluted":1}}'),
    deep,
    fc.string(),
  );
  const query = fc.dictionary(fc.constantFrom(...FIELD_NAMES), strangeString.map((text) => text.slice(0, 300)), { maxKeys: 4 });
  return fc.record({ segments: fc.tuple(...names.map((name) => segment(known[name]))), query, body }).map(({ segments, query: fields, body: payload }) => {
    let index = 0;
    const path = route.url.replace(/:(\w+)|\*/g, () => segments[index++] as string);
    const search = new URLSearchParams(Object.entries(fields).map(([key, value]): [string, string] => [key, String(value)])).toString();
    return { method: route.method, url: `${path}${search === '' ? '' : `?${search}`}`, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : payload };
  });
}
