import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
};

/** Adding or removing an export is an API decision: this snapshot makes it a visible one. */
describe('package exports', () => {
  it('should point every subpath at built files', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      expect(existsSync(`${root}${target.default}`), `${subpath} -> ${target.default}`).toBe(true);
      expect(existsSync(`${root}${target.types}`), `${subpath} -> ${target.types}`).toBe(true);
    }
  });

  it('should export exactly these runtime names', async () => {
    const surface: Record<string, string[]> = {};
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      surface[subpath] = Object.keys(await import(`${root}${target.default}`)).sort();
    }
    expect(surface).toMatchInlineSnapshot(`
      {
        "./cli": [
          "CONFIG_EXIT_CODE",
          "ConfigError",
          "ExitError",
          "UsageError",
          "createLineReader",
          "printJson",
          "printLine",
          "processStreams",
          "untilStopSignal",
        ],
        "./client": [
          "findFlotillaServer",
          "findLocalDaemon",
          "flotillaServerPaths",
          "resolveFlotillaHome",
          "withTimeout",
        ],
        "./fs": [
          "KitError",
          "acquireLock",
          "appendLine",
          "isKitError",
          "syncDirectory",
          "tailFile",
          "writeFileAtomic",
        ],
        "./http": [
          "KitError",
          "TOKEN_COOKIE",
          "createSecureApp",
          "createSecurityMiddleware",
          "generateToken",
          "hasOwnerToken",
          "isKitError",
          "outboxEventRoutes",
          "readOrCreateTokenFile",
          "serveOnPort",
          "serveOnSocket",
          "tokensEqual",
        ],
        "./process": [
          "KitError",
          "descendantsOf",
          "execFileResult",
          "isAlive",
          "isKitError",
          "killTree",
          "listProcessTree",
          "processStartTime",
          "processesWithEnv",
          "readProcessTable",
          "superviseChild",
        ],
        "./sqlite": [
          "BUSY_TIMEOUT_MS",
          "KitError",
          "backup",
          "checkpoint",
          "immediate",
          "isKitError",
          "openConnection",
          "openDatabase",
        ],
        "./sqlite/connection": [
          "BUSY_TIMEOUT_MS",
          "KitError",
          "backup",
          "checkpoint",
          "immediate",
          "isKitError",
          "openConnection",
        ],
        "./tmux": [
          "KitError",
          "createLocalExecutor",
          "createTmux",
          "isKitError",
          "shellQuote",
          "tmuxSocketName",
        ],
        "./transport": [
          "KitError",
          "createAgentTransport",
          "createHttpTransport",
          "createSocketTransport",
          "isKitError",
        ],
        "./web": [
          "BROWSER_TOKEN_TTL_MS",
          "DASHBOARD_CSP",
          "TELEGRAM_BIN",
          "TELEGRAM_PACKAGE",
          "createSessionTokens",
          "dashboardRoutes",
          "findAddonBin",
          "findDashboardAssets",
          "findTelegramAddon",
          "loadAddon",
          "loadStaticSite",
          "tokenFingerprint",
          "tokenToCookie",
        ],
      }
    `);
  });
});
