/**
 * Every command's `--help` lists the global options (`--json`, `-C`, `--reason`), not only the top
 * level's: the commands are found by walking the help itself, so a new command is covered without an edit.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';

/** Runs `mlcycle ...path --help` in this process and returns what it printed. */
async function helpOf(path: readonly string[]): Promise<string> {
  let text = '';
  const code = await runCli(['node', 'mlcycle', ...path, '--help'], { stdout: (chunk) => (text += chunk), stderr: (chunk) => (text += chunk) });
  expect(code).toBe(0);
  return text;
}

/** The subcommand names a help text lists under "Commands:", without commander's own `help`. */
function subcommands(help: string): string[] {
  const section = help.split('\nCommands:\n')[1];
  if (section === undefined) return [];
  const names = [...section.split(/\n\S/)[0]!.matchAll(/^ {2}(\S+)/gm)].map((match) => match[1]!);
  return names.filter((name) => name !== 'help');
}

describe('global options in help', () => {
  it('appear in the help of every command and subcommand', async () => {
    const pending: string[][] = [[]];
    const checked: string[] = [];
    while (pending.length > 0) {
      const path = pending.shift()!;
      const help = await helpOf(path);
      for (const option of ['--json', '-C, --dir <folder>', '--reason <text>']) {
        expect(help, `mlcycle ${path.join(' ')} --help`).toContain(option);
      }
      checked.push(path.join(' '));
      for (const name of subcommands(help)) pending.push([...path, name]);
    }
    // The walk reached the leaves of the nested groups, not only the top level.
    expect(checked).toEqual(expect.arrayContaining(['data split', 'models webhook add', 'stats analyze', 'train', 'tune', 'worker']));
  });
});
