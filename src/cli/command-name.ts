/** The command an argument vector names: its first word after the global options. */
const GLOBAL_WITH_VALUE = new Set(['-C', '--dir', '--reason']);

/** The first non-option argument after node and the script, skipping global options and their values. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let index = 2; index < argv.length; index++) {
    const word = argv[index] as string;
    if (GLOBAL_WITH_VALUE.has(word)) index++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}
