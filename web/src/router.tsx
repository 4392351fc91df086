// A small router over the History API: each view has its own URL (shareable, reloadable), links push state.
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const NAVIGATE = 'mlcycle:navigate';

export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

/** Goes to a URL inside the UI without reloading the page. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE));
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return location;
}

/** A link that navigates inside the UI (a plain link for new tabs and modified clicks). */
export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={onClick} className={className}>
      {children}
    </a>
  );
}

/** A path's segments after a prefix, decoded: `/runs/abc` under `/runs` is `['abc']`. */
export function segmentsAfter(path: string, prefix: string): string[] {
  return path
    .slice(prefix.length)
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part));
}
