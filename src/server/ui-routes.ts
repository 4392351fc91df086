/**
 * The web UI's host: the page the Vite build wrote (web/, built into dist/web by `npm run build`) at `/`,
 * its hashed assets under /assets/, and index.html for every other GET outside the APIs, so that each
 * view's URL (/runs/abc, /models/churn) opens the UI, which routes in the browser. The UI's files are
 * served without a token: the page holds no data and asks for a token when the API wants one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** Paths the APIs own: an unknown path under them is the API's 404, never the UI's page. */
const API_PATHS = /^\/(api|ajax-api)(\/|$)|^\/(invocations|ping|health|ready|version|metrics)(\/|$)/;

interface UiFiles {
  index: Buffer;
  assets: Map<string, { body: Buffer; type: string }>;
}

/** The built UI's folder: dist/web beside dist/server, or, when running from src/ (tests, tsx), the repository's dist/web. */
export function defaultUiDirectory(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../web'), path.resolve(here, '../../dist/web')];
  return candidates.find((folder) => existsSync(path.join(folder, 'index.html')));
}

function loadUi(folder: string): UiFiles {
  const assets = new Map<string, { body: Buffer; type: string }>();
  const assetFolder = path.join(folder, 'assets');
  if (existsSync(assetFolder)) {
    for (const name of readdirSync(assetFolder)) {
      assets.set(name, { body: readFileSync(path.join(assetFolder, name)), type: TYPES[path.extname(name)] ?? 'application/octet-stream' });
    }
  }
  return { index: readFileSync(path.join(folder, 'index.html')), assets };
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>mlcycle</title><p>The web UI is not built in this installation: run <code>npm run build</code> (it builds web/ into dist/web) and restart the server. The APIs answer under /api/v1 and /api/2.0/mlflow.</p>';

/**
 * Adds the UI's routes to the root context (outside the APIs' plugins and their token checks). `folder` is
 * the built UI (index.html and assets/); without one (or without its index.html), every UI path explains how
 * to build it.
 */
export function registerUiRoutes(app: FastifyInstance, folder: string | undefined): void {
  const ui = folder === undefined || !existsSync(path.join(folder, 'index.html')) ? undefined : loadUi(folder);
  const page = (reply: FastifyReply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(ui?.index ?? NOT_BUILT);
  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = ui?.assets.get(request.params.file);
    if (asset === undefined) return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send(`no UI asset ${request.params.file}`);
    // Vite names assets by content hash: a name never changes its bytes.
    return reply.header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
  });
  app.get('/', async (_request, reply) => page(reply));
  app.get('/*', async (request: FastifyRequest, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (API_PATHS.test(pathname)) return reply.callNotFound();
    return page(reply);
  });
}
