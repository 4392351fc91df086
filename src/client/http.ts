/**
 * The HTTP core of the typed client: JSON requests with a bearer token and a timeout, and errors turned
 * back into MlcycleErrors carrying the server's code, message, field and issues (so a CLI command run
 * against a server exits as it would locally).
 */
import { ERROR_CODES, MlcycleError, type ErrorCode, type InputIssue } from '../error.js';

export interface ClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:5000`. */
  url: string;
  /** A token from the server's tokens (`Authorization: Bearer TOKEN`). */
  token?: string;
  /** Milliseconds before a request is abandoned (default 30,000). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** An error the server answered with: the mlcycle error, plus the HTTP status and the API's own code. */
export class ApiRequestError extends MlcycleError {
  constructor(
    readonly status: number,
    readonly apiCode: string,
    message: string,
    readonly field: string | null,
    issues: readonly InputIssue[],
  ) {
    super(codeFor(status, apiCode), message, { issues });
  }
}

function codeFor(status: number, apiCode: string): ErrorCode {
  if (Object.hasOwn(ERROR_CODES, apiCode)) return apiCode as ErrorCode;
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'usage';
  return status < 500 ? 'invalid_input' : 'internal';
}

export type Query = Record<string, string | number | readonly string[] | undefined>;

/** Sends requests to one server. */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new MlcycleError('usage', `server URL "${options.url}" is not a URL (e.g. http://127.0.0.1:5000)`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new MlcycleError('usage', `server URL "${options.url}": expected http:// or https://`);
    this.baseUrl = parsed.toString().replace(/\/+$/, '');
    // The global fetch called as a method of this object throws in browsers ("Illegal invocation"): wrap it.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The URL of a path (segments already encoded) with a query string. */
  url(path: string, query: Query = {}): string {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) search.append(key, item);
      else search.append(key, String(value));
    }
    const text = search.toString();
    return `${this.baseUrl}${path}${text === '' ? '' : `?${text}`}`;
  }

  /** Sends a request and returns the raw response, having thrown the server's error for a non-2xx answer. */
  async send(method: string, path: string, options: { query?: Query; json?: unknown; bytes?: Uint8Array } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      // fetch sends views of ArrayBuffers (the DOM's BodyInit says so; Node's accepts any Uint8Array).
      body = options.bytes as Uint8Array<ArrayBuffer>;
    }
    const url = this.url(path, options.query);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new MlcycleError('not_found', `cannot reach the mlcycle server at ${this.baseUrl}: ${cause}`, { cause: error });
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  /** Sends a request and parses the JSON answer. */
  async json<T>(method: string, path: string, options: { query?: Query; json?: unknown } = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await response.json()) as T;
  }
}

async function errorOf(response: Response): Promise<ApiRequestError> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as { error?: { code?: string; message?: string; field?: string | null; issues?: InputIssue[] }; error_code?: string; message?: string };
    if (parsed.error !== undefined) return new ApiRequestError(response.status, parsed.error.code ?? 'internal', parsed.error.message ?? text, parsed.error.field ?? null, parsed.error.issues ?? []);
    if (parsed.error_code !== undefined) return new ApiRequestError(response.status, parsed.error_code, parsed.message ?? text, null, []);
  } catch {
    // Not JSON: a proxy's page, say. The status and the start of the text are all there is.
  }
  return new ApiRequestError(response.status, 'internal', `HTTP ${response.status}: ${text.slice(0, 200)}`, null, []);
}

/** A path segment, encoded. */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}
