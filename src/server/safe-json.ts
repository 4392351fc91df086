/**
 * The JSON body parser of both APIs. JSON.parse defines `__proto__` and `constructor` as plain own
 * properties (it never calls the prototype setter), so such keys are data, as the APIs promise; the
 * framework's parser refuses them as "not valid JSON" instead. Nesting is limited before parsing, so a
 * deeply nested body is a 400 naming the limit rather than a RangeError later on.
 */
import type { FastifyInstance } from 'fastify';
import { MlcycleError } from '../error.js';
import { excerpt } from '../excerpt.js';

export const JSON_LIMITS = {
  /** Arrays and objects open at once in one request body. */
  depth: 64,
} as const;

function bodyError(message: string): MlcycleError {
  return new MlcycleError('invalid_input', `body: ${message}`, { issues: [{ path: 'body', message }] });
}

/** The deepest nesting of arrays and objects in a JSON text, stopping once it passes the limit. */
export function jsonDepth(text: string, limit: number = JSON_LIMITS.depth): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}

/** Parses a request body: the depth limit first, then JSON.parse; errors name the body and the limit. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  if (jsonDepth(text) > JSON_LIMITS.depth) throw bodyError(`nested deeper than ${JSON_LIMITS.depth} arrays and objects (the limit)`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw bodyError(`not valid JSON: ${excerpt((error as Error).message)}`);
  }
}

/** Replaces the framework's JSON parser with parseJsonBody for every route of the app. */
export function registerSafeJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
