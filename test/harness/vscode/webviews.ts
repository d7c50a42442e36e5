// Webview panels in the workbench: their editor tabs, and the frame of the page each shows (VS Code
// nests it two iframes deep). A hidden webview without retainContextWhenHidden has no frame at all,
// so a frame found by what its page contains is the visible one.
import type { Frame, Locator, Page } from 'playwright-core';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Editor tabs whose label starts with `title`. */
export function editorTab(page: Page, title: string): Locator {
  return page
    .locator('.part.editor .tabs-container .tab')
    .filter({ hasText: new RegExp(`^\\s*${escapeRegExp(title)}`) });
}

/** The frame of the visible webview whose page has `selector`, once it has rendered. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await frame.locator(selector).first().isVisible()) return frame;
      } catch {
        // the frame went away while we looked
      }
    }
    await sleep(250);
  }
  throw new Error(`no webview showing ${selector} within ${timeoutMs} ms`);
}

/** Polls a value computed inside a frame until `accept` says yes; returns it. */
export async function frameEventually<T>(
  page: Page,
  selector: string,
  what: string,
  read: (frame: Frame) => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < deadline) {
    try {
      const frame = await webviewFrame(page, selector, Math.max(1000, deadline - Date.now()));
      last = await read(frame);
      if (accept(last)) return last;
    } catch (e) {
      error = e;
    }
    await sleep(500);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(last)}${error ? ` (${String(error)})` : ''}`,
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
