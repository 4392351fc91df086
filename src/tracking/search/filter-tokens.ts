/**
 * The tokens of the run filter language: identifiers such as `metrics.auc` or ``params.`learning rate` ``,
 * strings in single or double quotes (a doubled quote stands for itself), numbers, comparison operators,
 * keywords, parentheses and commas. Every token keeps its 1-based column for error messages.
 */
import { MlcycleError } from '../../error.js';
import { excerpt } from '../../excerpt.js';

export type TokenKind = 'identifier' | 'string' | 'number' | 'operator' | 'keyword' | '(' | ')' | ',' | 'end';

export interface Token {
  kind: TokenKind;
  /** The token's meaning: the unquoted identifier parts joined, the string's content, the upper-cased keyword. */
  value: string;
  /** Identifier parts: `metrics.auc` is [`metrics`, `auc`]; a quoted part keeps its dots. */
  parts?: string[];
  /** 1-based column of the token's first character. */
  column: number;
  /** The token as written. */
  text: string;
}

export const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE', 'ASC', 'DESC']);
const OPERATORS = ['>=', '<=', '!=', '<>', '==', '=', '<', '>'];
const BARE_PART = /[A-Za-z0-9_/-]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;

/** A filter syntax error naming the column and the token found there. */
export function syntaxError(source: string, column: number, found: string, message: string): MlcycleError {
  const near = found === '' ? 'at the end' : `at "${excerpt(found, 40)}"`;
  return new MlcycleError('invalid_input', `${source}: column ${column} ${near}: ${message}`, {
    issues: [{ path: source, message: `${near}: ${message}`, column }],
  });
}

function readQuoted(text: string, start: number, quote: string, source: string): { content: string; end: number } {
  let content = '';
  let index = start + 1;
  for (;;) {
    if (index >= text.length) throw syntaxError(source, start + 1, text.slice(start, start + 20), `unterminated ${quote === '`' ? 'backtick-quoted name' : 'string'}: add the closing ${quote}`);
    const char = text[index] as string;
    if (char === quote) {
      if (text[index + 1] === quote) {
        content += quote;
        index += 2;
        continue;
      }
      return { content, end: index + 1 };
    }
    content += char;
    index++;
  }
}

/** One part of an identifier: backtick-quoted (or double-quoted after the dot), or bare. */
function readPart(text: string, start: number, isKey: boolean, source: string): { part: string; end: number; quoted: boolean } {
  const char = text[start];
  if (char === '`' || (isKey && char === '"')) {
    const { content, end } = readQuoted(text, start, char, source);
    return { part: content, end, quoted: true };
  }
  let end = start;
  while (end < text.length && (BARE_PART.test(text[end] as string) || (isKey && text[end] === '.'))) end++;
  return { part: text.slice(start, end), end, quoted: false };
}

/** Splits a filter or ordering into tokens; `source` names the input in errors (`filter`, `orderBy`). */
export function tokenize(text: string, source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const column = index + 1;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char, value: char, column, text: char });
      index++;
      continue;
    }
    const operator = OPERATORS.find((candidate) => text.startsWith(candidate, index));
    if (operator !== undefined) {
      const value = operator === '<>' ? '!=' : operator === '==' ? '=' : operator;
      tokens.push({ kind: 'operator', value, column, text: operator });
      index += operator.length;
      continue;
    }
    if (char === "'" || char === '"') {
      const { content, end } = readQuoted(text, index, char, source);
      tokens.push({ kind: 'string', value: content, column, text: text.slice(index, end) });
      index = end;
      continue;
    }
    const previous = tokens.at(-1)?.kind;
    // A sign starts a number only where a value may start: after an operator, a parenthesis or a comma.
    const valueMayStart = previous === 'operator' || previous === '(' || previous === ',';
    if (/[\d.]/.test(char) || ((char === '-' || char === '+') && valueMayStart)) {
      const number = NUMBER.exec(text.slice(index));
      if (number !== null && !/[A-Za-z_]/.test(text[index + number[0].length] ?? ' ')) {
        tokens.push({ kind: 'number', value: number[0], column, text: number[0] });
        index += number[0].length;
        continue;
      }
    }
    if (/[A-Za-z_`]/.test(char)) {
      const start = index;
      const first = readPart(text, index, false, source);
      const parts = [first.part];
      index = first.end;
      if (text[index] === '.') {
        const second = readPart(text, index + 1, true, source);
        parts.push(second.part);
        index = second.end;
      }
      const written = text.slice(start, index);
      if (parts.length === 1 && !first.quoted && KEYWORDS.has(first.part.toUpperCase())) {
        tokens.push({ kind: 'keyword', value: first.part.toUpperCase(), column, text: written });
      } else {
        tokens.push({ kind: 'identifier', value: parts.join('.'), parts, column, text: written });
      }
      continue;
    }
    throw syntaxError(source, column, char, 'unexpected character');
  }
  tokens.push({ kind: 'end', value: '', column: text.length + 1, text: '' });
  return tokens;
}
