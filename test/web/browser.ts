// Debian's headless Chromium driven by playwright-core (what the suite needs: README, "Tests"), with a fresh
// profile per launch and the flags below, each with its reason.
import { mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  // CI runs the suite as root in a container, where Chromium's sandbox cannot start.
  "--no-sandbox",
  // No GPU on the test machines: software rendering, and H.264 decoding in software (what MSE tests need).
  "--disable-gpu",
  // Only the loopback test server is reached: no QUIC, first-run pages, updates, sync or background traffic.
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // Let media play without a user gesture, and keep timers running in the background page.
  "--autoplay-policy=no-user-gesture-required",
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
];

export interface TestBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  colorScheme?: "light" | "dark";
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A browser with its own empty profile; close() removes the profile. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  if (!chromiumAvailable()) throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium`);
  const profile = await mkdtemp(join(tmpdir(), "deskreel-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: options.viewport ?? { width: 1440, height: 900 },
    acceptDownloads: options.acceptDownloads ?? true,
    colorScheme: options.colorScheme ?? "light",
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Log in through the login page like a person would. */
export async function logInThroughPage(page: Page, baseUrl: string, user: string, password: string, next = "/"): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill("#login-username", user);
  await page.fill("#login-password", password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith("/login")), page.click("#login-submit")]);
}
