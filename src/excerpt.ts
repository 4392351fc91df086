/**
 * Excerpts of user input for error messages: a message names the bad value, but a 3 MB value must not
 * come back as a 3 MB error body (issue 16), so echoed values are cut to a bounded length.
 */

/** The most characters of a user's value that an error message repeats. */
export const EXCERPT_LENGTH = 100;

/** The text, cut to EXCERPT_LENGTH characters with a note of how much was left out. */
export function excerpt(text: string, length: number = EXCERPT_LENGTH): string {
  if (text.length <= length) return text;
  return `${text.slice(0, length)}... (${text.length - length} more characters)`;
}

/** A value as JSON for an error message, cut like excerpt(); values JSON cannot show are named by type. */
export function jsonExcerpt(value: unknown, length: number = EXCERPT_LENGTH): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  return excerpt(text ?? typeof value, length);
}
