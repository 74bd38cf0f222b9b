#!/usr/bin/env node
// Plain JS so the bin needs no build step of its own; everything else is in dist/cli.
import('../dist/cli/main.js');
