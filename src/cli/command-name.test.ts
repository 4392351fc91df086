import { describe, expect, it } from 'vitest';
import { commandName } from './command-name.js';

describe('commandName', () => {
  it('finds the command after global options and their values', () => {
    expect(commandName(['node', 'mlcycle', 'train', '--set', 'a=1'])).toBe('train');
    expect(commandName(['node', 'mlcycle', '-C', 'train', '--json', 'runs', 'list'])).toBe('runs');
    expect(commandName(['node', 'mlcycle', '--reason', 'why', '--dir', 'x', 'train'])).toBe('train');
    expect(commandName(['node', 'mlcycle', '--json'])).toBeUndefined();
  });
});
