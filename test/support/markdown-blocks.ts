/** The fenced code blocks of a Markdown file, so that tests can compile and run what the documentation shows. */
import { readFileSync } from 'node:fs';

export interface CodeBlock {
  /** The fence's language, e.g. `ts`, `sh`, `yaml` (empty when the fence names none). */
  language: string;
  /** The block's text, without the fences, ending with a newline. */
  text: string;
  /** The line of the opening fence, 1-based. */
  line: number;
  /** The nearest `#`/`##` heading above the block. */
  section: string;
}

/** Every fenced block of the file, in order; an unclosed fence is an error, since it would hide an example. */
export function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let section = '';
  let open: { language: string; line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    if (open === undefined) {
      const heading = /^#{1,2} (.*)$/.exec(line);
      if (heading !== null) section = heading[1]!;
      const fence = /^```(\S*)\s*$/.exec(line);
      if (fence !== null) open = { language: fence[1]!, line: index + 1, body: [] };
    } else if (/^```\s*$/.test(line)) {
      blocks.push({ language: open.language, text: `${open.body.join('\n')}\n`, line: open.line, section });
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  if (open !== undefined) throw new Error(`${file}:${open.line}: a code fence is never closed`);
  return blocks;
}
