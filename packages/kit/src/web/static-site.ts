/**
 * The dashboard's built page, served from memory: every file of its assets directory is read once
 * at start (a few hundred KiB), with the `.gz` twins its build writes. Paths outside the API that
 * name no file get index.html, so the page's own routes (`/jobs/…`) survive a reload.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { Context, Hono } from 'hono';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};
const MAX_FILE_BYTES = 8 * 1024 * 1024;
/** Paths that are never the page's. */
const NOT_PAGE = /^\/(api|daemon|metrics|health)(\/|$)/;

/** Same-origin only: the page loads nothing from elsewhere and may not be framed. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

interface Asset {
  type: string;
  body: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer> | null;
  /** Fingerprinted file names (vite's `assets/…-hash.js`) never change: cache them for good. */
  immutable: boolean;
}

export interface StaticSite {
  dir: string;
  assets: ReadonlyMap<string, Asset>;
}

export function loadStaticSite(dir: string): StaticSite {
  const assets = new Map<string, Asset>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      const stat = statSync(path);
      if (stat.isDirectory()) walk(path);
      else if (!name.endsWith('.gz') && stat.size <= MAX_FILE_BYTES) {
        const url = `/${relative(dir, path).split(sep).join('/')}`;
        let gzip: Uint8Array<ArrayBuffer> | null = null;
        try {
          gzip = new Uint8Array(readFileSync(`${path}.gz`));
        } catch {
          // served uncompressed
        }
        assets.set(url, { type: TYPES[extname(name)] ?? 'application/octet-stream', body: new Uint8Array(readFileSync(path)), gzip, immutable: url.startsWith('/assets/') });
      }
    }
  };
  walk(dir);
  return { dir, assets };
}

/** Registers the page's routes; call after every API route. */
export function dashboardRoutes(app: Hono, site: StaticSite): void {
  app.get('*', (c, next) => {
    const path = c.req.path;
    if (NOT_PAGE.test(path)) return next();
    const asset = site.assets.get(path) ?? (extname(path) === '' ? site.assets.get('/index.html') : undefined);
    if (!asset) return next();
    return send(c, asset);
  });
}

function send(c: Context, asset: Asset): Response {
  const gzip = asset.gzip !== null && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  const headers: Record<string, string> = {
    'content-type': asset.type,
    'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    vary: 'accept-encoding',
  };
  if (asset.type.startsWith('text/html')) {
    headers['content-security-policy'] = DASHBOARD_CSP;
    headers['x-frame-options'] = 'DENY';
  }
  if (gzip) headers['content-encoding'] = 'gzip';
  return c.body(gzip ? asset.gzip! : asset.body, 200, headers);
}
