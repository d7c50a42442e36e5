// The webview's handle on VS Code: post messages to the host and keep a small saved state (ids only)
// that survives the panel being hidden and the window being reloaded.

export interface VsCodeApi<S> {
  postMessage(message: unknown): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

let api: VsCodeApi<unknown> | undefined;

/** VS Code hands the API out once per page; later calls get the same object. */
function vsCodeApi<S>(): VsCodeApi<S> {
  api ??= acquireVsCodeApi<unknown>();
  return api as VsCodeApi<S>;
}

export { vsCodeApi as acquireVsCodeApi };
