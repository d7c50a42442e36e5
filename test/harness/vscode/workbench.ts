// Drives the VS Code workbench in headless Chromium the way a person would: activity bar, tree rows,
// command palette, status bar, screenshots.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { repoRoot } from './codeServer';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export interface OpenWorkbenchOptions {
  /** Chromium binary; $NIMBUSGUARD_CHROMIUM or /usr/bin/chromium. */
  executablePath?: string;
  viewport?: { width: number; height: number };
  /** Milliseconds to wait for the workbench to finish loading. */
  timeoutMs?: number;
}

export class Workbench {
  readonly browser: Browser;
  readonly page: Page;
  /** Messages from the browser console and page errors, for diagnosing a failure. */
  readonly console: string[] = [];

  constructor(browser: Browser, page: Page) {
    this.browser = browser;
    this.page = page;
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        this.console.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.console.push(`pageerror: ${error.message}`));
  }

  static async open(url: string, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
    const browser = await chromium.launch({
      executablePath: options.executablePath ?? process.env.NIMBUSGUARD_CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs,
      headless: true,
    });
    try {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } });
      const page = await context.newPage();
      const workbench = new Workbench(browser, page);
      await page.goto(url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs ?? 60_000 });
      await workbench.waitReady(options.timeoutMs ?? 60_000);
      return workbench;
    } catch (error) {
      await browser.close().catch(() => undefined);
      throw error;
    }
  }

  /** Waits until the workbench has rendered its parts and restored its views. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    const page = this.page;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: timeoutMs });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    // The explorer (or any restored view container) shows once the layout is restored.
    await page.locator('.monaco-workbench .part.editor').first().waitFor({ state: 'attached', timeout: timeoutMs });
    // Dismiss notifications that could cover the status bar.
    await this.page.keyboard.press('Escape').catch(() => undefined);
  }

  /** The activity bar entry whose title starts with `title` (its tooltip may add a keybinding). */
  activityBarItem(title: string): Locator {
    return this.page.locator(`.part.activitybar .action-item .action-label[aria-label^="${cssString(title)}"]`).first();
  }

  /** Opens the view container titled `title` from the activity bar, leaving it open if it already is. */
  async openViewContainer(title: string, timeoutMs = 30_000): Promise<void> {
    const label = this.activityBarItem(title);
    await label.waitFor({ state: 'visible', timeout: timeoutMs });
    const item = label.locator('xpath=ancestor::li[contains(@class,"action-item")][1]');
    const checked = await item.evaluate(
      (li) =>
        li.classList.contains('checked') ||
        li.getAttribute('aria-pressed') === 'true' ||
        li.getAttribute('aria-selected') === 'true',
    );
    if (!checked) await label.click();
    await this.page
      .locator('.part.sidebar .composite.title .title-label')
      .filter({ hasText: new RegExp(escapeRegExp(title), 'i') })
      .waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** The sidebar view pane titled `title` (e.g. "Workloads"), expanded. */
  async openViewPane(title: string, timeoutMs = 30_000): Promise<Locator> {
    const pane = this.page
      .locator('.part.sidebar .pane')
      .filter({
        has: this.page.locator('.pane-header .title', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }),
      })
      .first();
    await pane.waitFor({ state: 'attached', timeout: timeoutMs });
    const header = pane.locator('.pane-header').first();
    // A container with a single view hides that view's header (the container title names it) and keeps it expanded.
    if ((await header.isVisible()) && (await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.locator('.pane-body').first().waitFor({ state: 'visible', timeout: timeoutMs });
    return pane;
  }

  /** Tree rows in the sidebar whose label (not description) is exactly `label`. */
  treeItem(label: string, scope?: Locator): Locator {
    const root = scope ?? this.page.locator('.part.sidebar');
    return root.locator('.monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }),
    });
  }

  /** Waits for a tree row labelled `label` and returns it. */
  async waitForTreeItem(label: string, options: { scope?: Locator; timeoutMs?: number } = {}): Promise<Locator> {
    const row = this.treeItem(label, options.scope).first();
    await row.waitFor({ state: 'visible', timeout: options.timeoutMs ?? 30_000 });
    return row;
  }

  /** Expands a collapsed tree row (no-op when it is expanded or a leaf). */
  async expandTreeItem(label: string, options: { scope?: Locator; timeoutMs?: number } = {}): Promise<void> {
    const row = await this.waitForTreeItem(label, options);
    if ((await row.getAttribute('aria-expanded')) === 'false') {
      await row.locator('.monaco-tl-twistie').click();
      await this.page.waitForFunction((el) => el?.getAttribute('aria-expanded') === 'true', await row.elementHandle(), {
        timeout: 10_000,
      });
    }
  }

  /** Label, description and tooltip-ish aria label of a visible tree row. */
  async treeItemText(
    label: string,
    scope?: Locator,
  ): Promise<{ label: string; description: string; ariaLabel: string }> {
    const row = this.treeItem(label, scope).first();
    return {
      label: ((await row.locator('.label-name').first().textContent()) ?? '').trim(),
      description: (
        (await row
          .locator('.label-description')
          .first()
          .textContent()
          .catch(() => '')) ?? ''
      ).trim(),
      ariaLabel: (await row.getAttribute('aria-label')) ?? '',
    };
  }

  /** Labels of every rendered row of the sidebar trees, top to bottom. */
  async treeLabels(scope?: Locator): Promise<string[]> {
    const root = scope ?? this.page.locator('.part.sidebar');
    return (await root.locator('.monaco-list-row .label-name').allTextContents()).map((s) => s.trim());
  }

  /** Runs a command by its palette title, e.g. "NimbusGuard: Refresh". */
  async runCommand(title: string, timeoutMs = 15_000): Promise<void> {
    const page = this.page;
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 3000 });
    } catch {
      await page.keyboard.press('Control+Shift+P');
      await input.waitFor({ state: 'visible', timeout: timeoutMs });
    }
    await input.fill(`>${title}`);
    const row = page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }) })
      .first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    await row.click();
    await page
      .locator('.quick-input-widget')
      .waitFor({ state: 'hidden', timeout: timeoutMs })
      .catch(() => undefined);
  }

  /** Texts of the visible status bar entries. */
  async statusBarTexts(): Promise<string[]> {
    const texts = await this.page.locator('.part.statusbar .statusbar-item').allInnerTexts();
    return texts.map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => t.length > 0);
  }

  /** Waits until some status bar entry contains `text`, returning that entry's text. */
  async waitForStatusBar(text: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const item = this.page.locator('.part.statusbar .statusbar-item').filter({ hasText: text }).first();
    await item.waitFor({ state: 'visible', timeout: timeoutMs });
    return (await item.innerText()).replace(/\s+/g, ' ').trim();
  }

  /** Saves a PNG of the page to <repo>/test-results/e2e/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const path = screenshotPath(name);
    mkdirSync(dirname(path), { recursive: true });
    // Park the pointer over the editor so no hover tooltip covers what the picture should show.
    const size = this.page.viewportSize();
    if (size)
      await this.page.mouse.move(Math.round(size.width * 0.6), Math.round(size.height * 0.5)).catch(() => undefined);
    await this.page.screenshot({ path, fullPage: false });
    return path;
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}

export function screenshotPath(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'screenshot';
  return join(repoRoot(), 'test-results', 'e2e', `${safe}.png`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function cssString(text: string): string {
  return text.replace(/["\\]/g, '\\$&');
}
