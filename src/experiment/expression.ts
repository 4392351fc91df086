/**
 * A small, safe expression language for experiment targeting (`origin_region in ["South", "West"] and
 * distance > 500`) and the traffic simulator's customer-response model (`if(label == 1, 0.6, 0.1)`):
 * a hand-written tokenizer and recursive-descent parser into a tree that is evaluated by walking it, so
 * nothing is ever passed to `eval` or `new Function`. Grammar, loosest binding first:
 *
 *   expression := or
 *   or         := and ("or" and)*
 *   and        := not ("and" not)*
 *   not        := "not" not | comparison
 *   comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)?
 *   sum        := product (("+" | "-") product)*
 *   product    := unary (("*" | "/") unary)*
 *   unary      := "-" unary | primary
 *   primary    := number | string | true | false | null | list | call | path | "(" expression ")"
 *
 * Missing attributes evaluate to undefined, and a comparison with undefined, or between a string and a
 * number, is false (never an error), as GrowthBook treats a targeting condition on an attribute the user
 * lacks. Syntax errors name the column with a caret under the source.
 */
import { MlcycleError } from '../error.js';

export interface Expression {
  readonly source: string;
  /** The attribute paths the expression reads, e.g. `row.region`. */
  readonly identifiers: readonly string[];
  evaluate(scope: Readonly<Record<string, unknown>>): unknown;
}

type Node =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'unary'; operator: '-' | 'not'; operand: Node }
  | { kind: 'binary'; operator: string; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

type Token = { type: 'number' | 'string' | 'name' | 'operator' | 'end'; text: string; value?: unknown; at: number };

const FUNCTIONS: Record<string, { arity: [number, number]; apply: (args: unknown[]) => unknown }> = {
  min: { arity: [1, 64], apply: (args) => numbers(args, (values) => Math.min(...values)) },
  max: { arity: [1, 64], apply: (args) => numbers(args, (values) => Math.max(...values)) },
  abs: { arity: [1, 1], apply: (args) => numbers(args, ([x]) => Math.abs(x as number)) },
  exp: { arity: [1, 1], apply: (args) => numbers(args, ([x]) => Math.exp(x as number)) },
  log: { arity: [1, 1], apply: (args) => numbers(args, ([x]) => Math.log(x as number)) },
  sqrt: { arity: [1, 1], apply: (args) => numbers(args, ([x]) => Math.sqrt(x as number)) },
  clamp: { arity: [3, 3], apply: (args) => numbers(args, ([x, low, high]) => Math.min(Math.max(x as number, low as number), high as number)) },
};

function numbers(args: unknown[], body: (values: number[]) => number): number | undefined {
  if (!args.every((value) => typeof value === 'number')) return undefined;
  return body(args as number[]);
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null', 'if']);

class Parser {
  private tokens: Token[] = [];
  private index = 0;
  readonly identifiers = new Set<string>();

  constructor(
    private readonly source: string,
    private readonly where: string,
  ) {
    this.tokenize();
  }

  fail(at: number, message: string): never {
    const line = this.source.length > 120 ? `${this.source.slice(Math.max(0, at - 60), at + 60)}` : this.source;
    const offset = this.source.length > 120 ? Math.min(at, 60) : at;
    const text = `${this.where}: column ${at + 1}: ${message}\n  ${line}\n  ${' '.repeat(offset)}^`;
    throw new MlcycleError('invalid_input', text, { issues: [{ path: this.where, column: at + 1, message: `column ${at + 1}: ${message}` }] });
  }

  private tokenize(): void {
    const text = this.source;
    let at = 0;
    while (at < text.length) {
      const char = text[at] as string;
      if (/\s/.test(char)) {
        at += 1;
        continue;
      }
      const start = at;
      if (/[0-9.]/.test(char)) {
        const match = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at));
        if (match === null) this.fail(at, `unexpected "${char}"`);
        at += match[0].length;
        this.tokens.push({ type: 'number', text: match[0], value: Number(match[0]), at: start });
      } else if (char === '"' || char === "'") {
        let value = '';
        at += 1;
        while (at < text.length && text[at] !== char) {
          if (text[at] === '\\' && at + 1 < text.length) at += 1;
          value += text[at];
          at += 1;
        }
        if (at >= text.length) this.fail(start, 'a string that is never closed');
        at += 1;
        this.tokens.push({ type: 'string', text: text.slice(start, at), value, at: start });
      } else if (/[A-Za-z_]/.test(char)) {
        const match = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(at)) as RegExpExecArray;
        at += match[0].length;
        this.tokens.push({ type: 'name', text: match[0], at: start });
      } else {
        const two = text.slice(at, at + 2);
        if (['==', '!=', '<=', '>='].includes(two)) {
          this.tokens.push({ type: 'operator', text: two, at: start });
          at += 2;
        } else if ('<>+-*/(),[]'.includes(char)) {
          this.tokens.push({ type: 'operator', text: char, at: start });
          at += 1;
        } else if (char === '=') this.fail(at, 'use "==" to compare');
        else this.fail(at, `unexpected "${char}"`);
      }
    }
    this.tokens.push({ type: 'end', text: '', at: text.length });
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private next(): Token {
    return this.tokens[this.index++] as Token;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    if ((token.type === 'operator' || token.type === 'name') && token.text === text) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private expect(text: string, after: string): void {
    if (!this.accept(text)) this.fail(this.peek().at, `expected "${text}" ${after}${this.describeFound()}`);
  }

  private describeFound(): string {
    const token = this.peek();
    return token.type === 'end' ? ', found the end' : `, found "${token.text}"`;
  }

  parse(): Node {
    if (this.peek().type === 'end') this.fail(0, 'the expression is empty');
    const node = this.or();
    const token = this.peek();
    if (token.type !== 'end') this.fail(token.at, `unexpected "${token.text}" after a complete expression`);
    return node;
  }

  private or(): Node {
    let left = this.and();
    while (this.accept('or')) left = { kind: 'binary', operator: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.accept('and')) left = { kind: 'binary', operator: 'and', left, right: this.not() };
    return left;
  }

  private not(): Node {
    const token = this.peek();
    if (token.type === 'name' && token.text === 'not' && !(this.tokens[this.index + 1]?.text === 'in')) {
      this.index += 1;
      return { kind: 'unary', operator: 'not', operand: this.not() };
    }
    return this.comparison();
  }

  private comparison(): Node {
    const left = this.sum();
    const token = this.peek();
    if (token.type === 'operator' && ['==', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.index += 1;
      return { kind: 'binary', operator: token.text, left, right: this.operand(token.text) };
    }
    if (token.type === 'name' && token.text === 'in') {
      this.index += 1;
      return { kind: 'binary', operator: 'in', left, right: this.operand('in') };
    }
    if (token.type === 'name' && token.text === 'not' && this.tokens[this.index + 1]?.text === 'in') {
      this.index += 2;
      return { kind: 'binary', operator: 'not in', left, right: this.operand('not in') };
    }
    return left;
  }

  /** The right side of a binary operator: a missing one names the operator. */
  private operand(operator: string): Node {
    const token = this.peek();
    if (token.type === 'end' || (token.type === 'name' && ['and', 'or'].includes(token.text)) || (token.type === 'operator' && [')', ']', ','].includes(token.text))) {
      this.fail(token.at, `expected a value after "${operator}"${this.describeFound()}`);
    }
    return operator === '+' || operator === '-' ? this.product() : operator === '*' || operator === '/' ? this.unary() : this.sum();
  }

  private sum(): Node {
    let left = this.product();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'operator' || (token.text !== '+' && token.text !== '-')) return left;
      this.index += 1;
      left = { kind: 'binary', operator: token.text, left, right: this.operand(token.text) };
    }
  }

  private product(): Node {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'operator' || (token.text !== '*' && token.text !== '/')) return left;
      this.index += 1;
      left = { kind: 'binary', operator: token.text, left, right: this.operand(token.text) };
    }
  }

  private unary(): Node {
    if (this.accept('-')) return { kind: 'unary', operator: '-', operand: this.unary() };
    return this.primary();
  }

  private primary(): Node {
    const token = this.next();
    if (token.type === 'number' || token.type === 'string') return { kind: 'literal', value: token.value };
    if (token.type === 'operator' && token.text === '(') {
      const node = this.or();
      this.expect(')', 'to close the "(" at column ' + String(token.at + 1));
      return node;
    }
    if (token.type === 'operator' && token.text === '[') {
      const items: Node[] = [];
      if (!this.accept(']')) {
        do items.push(this.or());
        while (this.accept(','));
        this.expect(']', 'to close the list');
      }
      return { kind: 'list', items };
    }
    if (token.type === 'name') {
      if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (this.peek().text === '(' && this.peek().type === 'operator') {
        if (token.text !== 'if' && FUNCTIONS[token.text] === undefined) this.fail(token.at, `unknown function "${token.text}" (functions: if, ${Object.keys(FUNCTIONS).join(', ')})`);
        this.index += 1;
        const args: Node[] = [];
        if (!this.accept(')')) {
          do args.push(this.or());
          while (this.accept(','));
          this.expect(')', `to close ${token.text}(`);
        }
        const arity = token.text === 'if' ? [3, 3] : (FUNCTIONS[token.text] as (typeof FUNCTIONS)[string]).arity;
        if (args.length < (arity[0] as number) || args.length > (arity[1] as number)) {
          this.fail(token.at, `${token.text}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} or more`} argument${arity[0] === 1 && arity[1] === 1 ? '' : 's'}, got ${args.length}`);
        }
        return { kind: 'call', name: token.text, args };
      }
      if (KEYWORDS.has(token.text)) this.fail(token.at, `expected a value, found "${token.text}"`);
      this.identifiers.add(token.text);
      return { kind: 'path', path: token.text.split('.') };
    }
    if (token.type === 'end') this.fail(token.at, 'the expression ends where a value was expected');
    this.fail(token.at, `expected a value, found "${token.text}"`);
  }
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '' && !(typeof value === 'number' && Number.isNaN(value));
}

function equal(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  return left === right;
}

function ordered(operator: string, left: unknown, right: unknown): boolean {
  if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string'))) return false;
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    default:
      return left >= right;
  }
}

function read(scope: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let value: unknown = scope;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function evaluate(node: Node, scope: Readonly<Record<string, unknown>>): unknown {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'path':
      return read(scope, node.path);
    case 'list':
      return node.items.map((item) => evaluate(item, scope));
    case 'unary': {
      const value = evaluate(node.operand, scope);
      if (node.operator === 'not') return !truthy(value);
      return typeof value === 'number' ? -value : undefined;
    }
    case 'call': {
      if (node.name === 'if') return truthy(evaluate(node.args[0] as Node, scope)) ? evaluate(node.args[1] as Node, scope) : evaluate(node.args[2] as Node, scope);
      return (FUNCTIONS[node.name] as (typeof FUNCTIONS)[string]).apply(node.args.map((arg) => evaluate(arg, scope)));
    }
    case 'binary': {
      if (node.operator === 'and') return truthy(evaluate(node.left, scope)) && truthy(evaluate(node.right, scope));
      if (node.operator === 'or') return truthy(evaluate(node.left, scope)) || truthy(evaluate(node.right, scope));
      const left = evaluate(node.left, scope);
      const right = evaluate(node.right, scope);
      switch (node.operator) {
        case '==':
          return equal(left, right);
        case '!=':
          return left !== undefined && right !== undefined && left !== right;
        case 'in':
          return left !== undefined && Array.isArray(right) && right.some((item) => equal(left, item));
        case 'not in':
          return left !== undefined && Array.isArray(right) && !right.some((item) => equal(left, item));
        case '+':
        case '-':
        case '*':
        case '/': {
          if (typeof left !== 'number' || typeof right !== 'number') return undefined;
          return node.operator === '+' ? left + right : node.operator === '-' ? left - right : node.operator === '*' ? left * right : left / right;
        }
        default:
          return ordered(node.operator, left, right);
      }
    }
  }
}

/** Parses an expression; `where` (a field or YAML path) prefixes every error. */
export function parseExpression(source: string, where = 'expression'): Expression {
  if (typeof source !== 'string') throw new MlcycleError('invalid_input', `${where}: expected an expression as text`, { issues: [{ path: where, message: 'expected text' }] });
  const parser = new Parser(source, where);
  const tree = parser.parse();
  const identifiers = [...parser.identifiers];
  return { source, identifiers, evaluate: (scope) => evaluate(tree, scope), [TREE]: tree } as Expression;
}

/** Whether a condition holds for these attributes (truthiness of its value). */
export function evaluateCondition(expression: Expression, scope: Readonly<Record<string, unknown>>): boolean {
  return truthy(expression.evaluate(scope));
}

const TREE = Symbol('tree');

const MONGO: Record<string, string> = { '==': '$eq', '!=': '$ne', '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte', in: '$in', 'not in': '$nin' };

/**
 * The condition as GrowthBook's MongoDB-style targeting JSON, for the subset both express: and, or, not,
 * and comparisons of an attribute with a literal (or list of literals).
 */
export function toGrowthBookCondition(expression: Expression): Record<string, unknown> {
  const tree = (expression as Expression & { [TREE]?: Node })[TREE];
  if (tree === undefined) throw new MlcycleError('usage', 'not an expression made by parseExpression');
  return toCondition(tree, expression.source);
}

function literalOf(node: Node, source: string): unknown {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'list') return node.items.map((item) => literalOf(item, source));
  if (node.kind === 'unary' && node.operator === '-' && node.operand.kind === 'literal' && typeof node.operand.value === 'number') return -node.operand.value;
  throw new MlcycleError('usage', `"${source}": GrowthBook conditions compare an attribute with literal values only`);
}

function toCondition(node: Node, source: string): Record<string, unknown> {
  if (node.kind === 'binary' && (node.operator === 'and' || node.operator === 'or')) {
    return { [node.operator === 'and' ? '$and' : '$or']: [toCondition(node.left, source), toCondition(node.right, source)] };
  }
  if (node.kind === 'unary' && node.operator === 'not') return { $not: toCondition(node.operand, source) };
  if (node.kind === 'binary' && MONGO[node.operator] !== undefined && node.left.kind === 'path') {
    return { [node.left.path.join('.')]: { [MONGO[node.operator] as string]: literalOf(node.right, source) } };
  }
  throw new MlcycleError('usage', `"${source}": only and, or, not and comparisons of an attribute with literals translate to a GrowthBook condition`);
}
