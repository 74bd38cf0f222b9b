import type { Command } from 'commander';
import type { MeshCliContext } from './context.js';

// Filled in this session by its owner (see program.ts).
export function registerServeCommand(_program: Command, _ctx: MeshCliContext): void {}
