import type { Command } from 'commander';
import type { MeshCliContext } from './context.js';

// Filled in this session by its owner (see program.ts).
export function registerMessageCommands(_program: Command, _ctx: MeshCliContext): void {}
