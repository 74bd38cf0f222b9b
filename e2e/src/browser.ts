import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: never a downloaded browser (`npx playwright install` cannot reach its hosts here). */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
];

/** Screenshots land here (gitignored); a person looks at them after a run. */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Dashboard extends AsyncDisposable {
  browser: Browser;
  /** A new tab in its own browser profile (its own cookie jar), opened at `openUrl`. */
  open(openUrl: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Writes `<ARTIFACTS>/<name>.png` of the whole page. */
  screenshot(page: Page, name: string): Promise<string>;
}

/** Launches headless Chromium; `await using` closes it and every profile it opened. */
export async function launchDashboardBrowser(): Promise<Dashboard> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async open(openUrl, viewport = DESKTOP) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1, isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });
      contexts.push(context);
      const page = await context.newPage();
      const response = await page.goto(openUrl);
      // A printed link that worked is spent for a cookie and redirected away: the token must leave the address bar.
      if (response?.ok() && new URL(page.url()).searchParams.has('token')) throw new Error(`the page kept the token in its URL: ${page.url()}`);
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await browser.close();
    },
  };
}

/** Same-tab navigation as a person clicking a link in the page (the app's own router), or a typed URL. */
export async function goto(page: Page, path: string): Promise<void> {
  const url = new URL(path, page.url()).toString();
  await page.goto(url);
}

/** The text a person reads in `selector` (whitespace collapsed), or null when it is not on the page. */
export async function textOf(page: Page, selector: string): Promise<string | null> {
  const text = await page.evaluate((selector) => document.querySelector(selector)?.textContent ?? null, selector);
  return text === null ? null : text.replace(/\s+/g, ' ').trim();
}

/**
 * Starts recording, in the page, every distinct text `selector` shows (checked on each DOM
 * mutation), so a state that lasts a moment is not missed between two polls. Read it back with
 * `textsSeen`; `null` entries mean the element was gone.
 */
export async function recordTexts(page: Page, key: string, selector: string): Promise<void> {
  await page.evaluate(
    ({ key, selector }) => {
      const w = window as unknown as { __seen?: Record<string, (string | null)[]> };
      const seen = ((w.__seen ??= {})[key] = [] as (string | null)[]);
      const read = () => {
        const el = document.querySelector(selector);
        const text = el ? (el.textContent ?? '').replace(/\s+/g, ' ').trim() : null;
        if (seen.length === 0 || seen[seen.length - 1] !== text) seen.push(text);
      };
      read();
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    },
    { key, selector },
  );
}

export async function textsSeen(page: Page, key: string): Promise<(string | null)[]> {
  return page.evaluate((key) => (window as unknown as { __seen?: Record<string, (string | null)[]> }).__seen?.[key] ?? [], key);
}

/** True when `wanted` appear in `seen` in this order (others may come between). */
export function inOrder(seen: readonly (string | null)[], wanted: readonly string[]): boolean {
  let at = 0;
  for (const text of seen) if (at < wanted.length && text !== null && text.includes(wanted[at]!)) at += 1;
  return at === wanted.length;
}

/** Navigation inside the running page, as a click on one of its links does (no reload; the live store stays). */
export async function navigateInPage(page: Page, path: string): Promise<void> {
  await page.evaluate((to) => {
    window.history.pushState(null, '', to);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, path);
}
