// The Scaling panel's page: static markup the webview script fills in, one nonce'd script and one
// stylesheet, under a CSP that allows nothing else (no inline script or style).
import type { ScalingWorkloadRef } from './protocol';

export interface ScalingPageInput {
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce: string;
  ref: ScalingWorkloadRef;
}

export function makeNonce(): string {
  const bytes = new Uint8Array(24);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, '');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function scalingPanelCsp(cspSource: string, nonce: string): string {
  return [`default-src 'none'`, `img-src ${cspSource} data:`, `style-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
}

export function scalingPanelHtml(input: ScalingPageInput): string {
  const { ref, nonce } = input;
  const name = escapeHtml(`${ref.kind} ${ref.namespace}/${ref.name}`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(scalingPanelCsp(input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>Scaling: ${name}</title>
</head>
<body>
<main>
  <header class="header">
    <div>
      <h1 id="title">${name}</h1>
      <p id="subtitle" class="muted"></p>
    </div>
    <button id="refresh" type="button">Refresh</button>
  </header>
  <p id="source" class="muted"></p>
  <ul id="notes" class="notes" role="status" aria-live="polite" hidden></ul>
  <section id="proposal" class="proposal" aria-labelledby="proposal-heading" hidden>
    <h2 id="proposal-heading">Proposal</h2>
    <p class="replicas"><span id="current"></span><span class="arrow" aria-hidden="true">→</span><span id="proposed"></span></p>
    <dl class="facts">
      <dt>Confidence</dt><dd id="confidence"></dd>
      <dt>Ready now</dt><dd id="ready"></dd>
      <dt>Autoscaler bounds</dt><dd id="hpa"></dd>
      <dt>Per replica</dt><dd id="capacity"></dd>
    </dl>
    <p id="reason" class="reason"></p>
  </section>
  <figure class="chart">
    <div id="chart-box" class="chart-box"><canvas id="chart" role="img" aria-label="Scaling chart" aria-describedby="chart-summary"></canvas></div>
    <figcaption id="chart-summary" class="muted">Waiting for data…</figcaption>
  </figure>
  <p id="updated" class="muted"></p>
</main>
<script nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}
