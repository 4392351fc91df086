/**
 * Fuzz tests of both APIs: generated and mutated requests to every route Fastify registered (so a route
 * added later is covered without editing this test). No request may get a 5xx; a 4xx comes in the API's
 * own error shape; a rejected request leaves the stored state as it was. A fixed seed and case count
 * keep the run short and repeatable.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzServer, requestFor, storedState } from './support/api-fuzz.js';

const CASES_PER_ROUTE = 12;

type Shape = (body: any) => boolean;
const mlflowShape: Shape = (body) => typeof body?.error_code === 'string' && typeof body?.message === 'string';
const v1Shape: Shape = (body) => typeof body?.error?.code === 'string' && typeof body?.error?.message === 'string' && Array.isArray(body?.error?.issues);

async function fuzz(prefix: string, shape: Shape, minimumRoutes: number) {
  const { app, workspace, routes, known, errors } = await fuzzServer(prefix);
  expect(routes.length).toBeGreaterThanOrEqual(minimumRoutes);
  for (const [index, route] of routes.entries()) {
    await fc.assert(
      fc.asyncProperty(requestFor(route, known), async (request) => {
        const before = await storedState(workspace);
        const response = await app.inject({
          method: request.method as 'GET',
          url: request.url,
          ...(request.payload === undefined ? {} : { payload: request.payload, headers: { 'content-type': route.url.includes('artifacts') && request.method === 'PUT' ? 'application/octet-stream' : 'application/json' } }),
        });
        const where = `${request.method} ${request.url.slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
        expect(response.statusCode, where).toBeLessThan(500);
        if (response.statusCode >= 400) {
          expect(shape(JSON.parse(response.body)), where).toBe(true);
          expect(response.body.length, where).toBeLessThan(40_000);
          expect(await storedState(workspace), where).toEqual(before);
        }
      }),
      { numRuns: CASES_PER_ROUTE, seed: 1600 + index },
    );
  }
  expect(errors).toEqual([]);
}

describe('API fuzzing', () => {
  it("MLflow's API under /api/2.0 answers every generated request below 500, in its error shape, writing nothing when it refuses", async () => {
    await fuzz('/api/2.0/', mlflowShape, 30);
  }, 60_000);

  it('/api/v1 answers every generated request below 500, in its error shape, writing nothing when it refuses', async () => {
    await fuzz('/api/v1/', v1Shape, 25);
  }, 60_000);
});
