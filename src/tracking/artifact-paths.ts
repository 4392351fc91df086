/**
 * Artifact paths inside a run's artifact root. MLflow has had several path-traversal holes in artifact
 * handling; here a path is refused unless every form of it (as written and URL-decoded, repeatedly) is a
 * relative POSIX path of plain parts: no `..` or `.` parts, no empty parts, no leading `/`, no `\`, no
 * drive letters, no control characters. Paths never reach the file system as given: bytes are stored by
 * content hash, and downloads re-check that the target stays inside the destination folder.
 */
import path from 'node:path';
import { MlcycleError } from '../error.js';

export const MAX_ARTIFACT_PATH_LENGTH = 1024;

function plainPathProblem(candidate: string): string | undefined {
  if (candidate.includes('\\')) return 'contains a backslash';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return 'contains a control character';
  if (candidate.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(candidate)) return 'starts with a drive letter';
  const parts = candidate.split('/');
  if (parts.includes('..')) return 'has a .. part that would leave the artifact root';
  if (parts.includes('.')) return 'has a . part';
  if (parts.includes('')) return 'has an empty part (a doubled or trailing /)';
  return undefined;
}

/** Decodes each run of %XX escapes as UTF-8 and leaves a lone % as it is; undefined for invalid UTF-8. */
function decodeEscapes(form: string): string | undefined {
  try {
    return form.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => decodeURIComponent(run));
  } catch {
    return undefined;
  }
}

/** The reason a path may not name an artifact, or undefined when it is safe. */
export function artifactPathProblem(candidate: unknown): string | undefined {
  if (typeof candidate !== 'string' || candidate === '') return 'an artifact path must be a non-empty string';
  if (candidate.length > MAX_ARTIFACT_PATH_LENGTH) return `is longer than ${MAX_ARTIFACT_PATH_LENGTH} characters`;
  let form = candidate;
  // Decode until stable, so that %2e%2e, %252e%252e and mixed forms are all seen for what they decode to.
  for (let round = 0; round < 5; round++) {
    const problem = plainPathProblem(form);
    if (problem !== undefined) return form === candidate ? problem : `decodes to "${form}", which ${problem}`;
    const decoded = decodeEscapes(form);
    if (decoded === undefined) return 'holds a malformed %-escape';
    if (decoded === form) return undefined;
    form = decoded;
  }
  return 'is encoded too many times over';
}

/** Throws invalid_input naming the field when the path is not safe. */
export function requireArtifactPath(candidate: unknown, field = 'path'): string {
  const problem = artifactPathProblem(candidate);
  if (problem !== undefined) {
    throw new MlcycleError('invalid_input', `${field}: artifact path "${String(candidate)}" ${problem}`, { issues: [{ path: field, message: problem }] });
  }
  return candidate as string;
}

/** A folder inside the artifact root: `''` for the root itself, else a safe path without a trailing slash. */
export function requireArtifactFolder(candidate: string | undefined, field = 'path'): string {
  if (candidate === undefined || candidate === '' || candidate === '/') return '';
  return requireArtifactPath(candidate.endsWith('/') ? candidate.slice(0, -1) : candidate, field);
}

/** Joins artifact path parts with `/`, skipping empty ones. */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** The local file an artifact is written to under `destination`; refuses anything that would land outside. */
export function localTarget(destination: string, artifactPath: string): string {
  requireArtifactPath(artifactPath);
  const root = path.resolve(destination);
  const target = path.resolve(root, ...artifactPath.split('/'));
  if (!target.startsWith(root + path.sep)) throw new MlcycleError('invalid_input', `artifact path "${artifactPath}" would be written outside ${root}`);
  return target;
}
