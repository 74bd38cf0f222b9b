#!/usr/bin/env node
// After `vite build`: writes a gzip twin (`file.gz`) beside each text asset, so the daemon serves
// compressed bytes without compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const TEXT = /\.(html|js|css|svg|json|txt|map)$/;
let files = 0;
let raw = 0;
let gz = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (TEXT.test(name)) {
      const bytes = readFileSync(path);
      const zipped = gzipSync(bytes, { level: 9 });
      writeFileSync(`${path}.gz`, zipped);
      files += 1;
      raw += bytes.length;
      gz += zipped.length;
    }
  }
}
walk(dist);
console.log(`compressed ${files} assets: ${(raw / 1024).toFixed(1)} KiB → ${(gz / 1024).toFixed(1)} KiB gzip`);
