// The UI's one way to the server: the typed client of /api/v1 (src/client), with the token the user gave.
import { useEffect, useState } from 'react';
import { createClient, type MlcycleClient } from '../../src/client/client.js';
import { ApiRequestError } from '../../src/client/http.js';

const TOKEN_KEY = 'mlcycle.token';

export function storedToken(): string | undefined {
  return window.localStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function setStoredToken(token: string | undefined): void {
  if (token === undefined || token === '') window.localStorage.removeItem(TOKEN_KEY);
  else window.localStorage.setItem(TOKEN_KEY, token);
}

/** Dispatched on the window when the server answers 401: the layout then asks for a token. */
export const TOKEN_WANTED = 'mlcycle:token-wanted';

const watchingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401) window.dispatchEvent(new Event(TOKEN_WANTED));
  return response;
};

let cached: { token: string | undefined; client: MlcycleClient } | undefined;

/** The client for this page's server, carrying the stored token. */
export function api(): MlcycleClient {
  const token = storedToken();
  if (cached === undefined || cached.token !== token) cached = { token, client: createClient({ url: window.location.origin, fetch: watchingFetch, ...(token === undefined ? {} : { token }) }) };
  return cached.client;
}

/** Whether an error is the server asking for a (valid) token. */
export function needsToken(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 401;
}

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'done'; value: T };

/** Loads `load()` again whenever `key` changes; a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, key: string): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let live = true;
    setLoaded((previous) => (previous.state === 'done' ? previous : { state: 'loading' }));
    load().then(
      (value) => live && setLoaded({ state: 'done', value }),
      (error: unknown) => live && setLoaded({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
    // `load` is a new closure each render; `key` says when its inputs changed.
  }, [key, generation]);
  return [loaded, () => setGeneration((n) => n + 1)];
}

let session: { token: string | undefined; access: Promise<'read' | 'write'> } | undefined;

/** What the stored token may do (`write` without tokens); undefined until known, so no button flashes. */
export function useAccess(): 'read' | 'write' | undefined {
  const token = storedToken();
  if (session === undefined || session.token !== token) session = { token, access: api().session().then((answer) => answer.access) };
  const current = session;
  const [loaded] = useLoad(() => current.access, `session-${token ?? ''}`);
  return loaded.state === 'done' ? loaded.value : undefined;
}
