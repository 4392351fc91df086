// Shared pieces of every page: loading and error states, numbers and times as a person reads them.
import { useState, type ReactNode } from 'react';
import { needsToken, setStoredToken, storedToken, type Loaded } from './api.js';

/** Renders a loaded value, or its loading state, or its error (with a token form when the server wants one). */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (value: T) => ReactNode }) {
  if (loaded.state === 'loading') return <p className="muted">Loading…</p>;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  return <>{children(loaded.value)}</>;
}

export function ErrorBox({ error }: { error: unknown }) {
  // The layout shows the token form once for the whole page (TOKEN_WANTED).
  if (needsToken(error)) return <p className="muted">This view needs a token.</p>;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert">
      {message}
    </div>
  );
}

/** Asks for one of the server's tokens and keeps it in this browser's local storage. */
export function TokenForm() {
  const [token, setToken] = useState('');
  return (
    <form
      className="token"
      onSubmit={(event) => {
        event.preventDefault();
        setStoredToken(token.trim());
        window.location.reload();
      }}
    >
      <p>{storedToken() === undefined ? 'This server requires a token.' : 'The server refused the stored token.'} Paste one of its tokens (as given to `mlcycle server`); it stays in this browser.</p>
      <input type="password" value={token} onChange={(event) => setToken(event.target.value)} placeholder="token" aria-label="token" />
      <button type="submit">Use token</button>
    </form>
  );
}

/** A number with up to 4 significant digits, as a table shows it. */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e9) return value.toLocaleString('en-US');
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e9)) return value.toExponential(3);
  return Number(value.toPrecision(4)).toString();
}

export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** A time (ISO text or milliseconds) in UTC, to the minute. */
export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms < 0) return '–';
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = seconds / 60;
  if (minutes < 120) return `${minutes.toFixed(1)} min`;
  return `${(minutes / 60).toFixed(1)} h`;
}

export function Badge({ kind, children }: { kind: string; children: ReactNode }) {
  return <span className={`badge badge-${kind}`}>{children}</span>;
}
