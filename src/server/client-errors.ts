/**
 * What a client is told about its mistake, bounded: an error message repeats at most a few hundred
 * characters and a few dozen issues, however large the bad input (a 3 MB value gave a 3 MB error body,
 * issue 16), and framework-level refusals (a malformed URL) are re-said in the API's own words.
 */
import type { InputIssue } from '../error.js';
import { excerpt } from '../excerpt.js';
import { MlcycleError } from '../error.js';

/** The most characters of an error message, and of each issue's message, sent to a client. */
export const ERROR_MESSAGE_LENGTH = 500;
/** The most issues listed in one error body; the message says how many there were. */
export const ERROR_ISSUES = 50;

/** An error's message and issues cut to the bounds above. */
export function boundedError(message: string, issues: readonly InputIssue[]): { message: string; issues: InputIssue[] } {
  const shown = issues.slice(0, ERROR_ISSUES).map((issue) => ({ ...issue, path: excerpt(issue.path), message: excerpt(issue.message, ERROR_MESSAGE_LENGTH) }));
  const more = issues.length > ERROR_ISSUES ? ` (${issues.length} issues, the first ${ERROR_ISSUES} listed)` : '';
  return { message: `${excerpt(message, ERROR_MESSAGE_LENGTH)}${more}`, issues: shown };
}

/** The error for a request the framework refused before routing (FST_ERR_BAD_URL and the like). */
export function frameworkRefusal(error: { code?: string; message: string }): MlcycleError {
  if (error.code === 'FST_ERR_BAD_URL') return new MlcycleError('invalid_input', 'url: the URL holds an invalid percent-escape', { issues: [{ path: 'url', message: 'invalid percent-escape' }] });
  return new MlcycleError('invalid_input', `request: ${excerpt(error.message)}`);
}

/** Refuses body fields outside the known ones, so a misspelt field (`parms`) is not silently ignored. */
export function refuseUnknownFields(fields: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(fields).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  const message = `unknown field; expected ${known.join(', ')}`;
  throw new MlcycleError('invalid_input', `${excerpt(unknown[0] as string)}: ${message}`, { issues: unknown.slice(0, ERROR_ISSUES).map((name) => ({ path: excerpt(name), message })) });
}
