// The Scaling panel's markup: the workload's name, the proposal facts and the chart canvas, filled
// in by webview/scaling. The page shell (CSP, nonce, stylesheets) is the shared one.
import { escapeHtml, panelHtml } from '../webview/webviewHtml';
import type { ScalingWorkloadRef } from './protocol';

export interface ScalingPageInput {
  /** `webview.cspSource`. */
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  nonce: string;
  ref: ScalingWorkloadRef;
}

export function scalingPanelHtml(input: ScalingPageInput): string {
  const { ref } = input;
  const name = escapeHtml(`${ref.kind} ${ref.namespace}/${ref.name}`);
  return panelHtml({
    ...input,
    title: `Scaling: ${ref.kind} ${ref.namespace}/${ref.name}`,
    body: `<main>
  <header class="header">
    <div>
      <h1 id="title">${name}</h1>
      <p id="subtitle" class="muted"></p>
    </div>
    <div class="header-actions">
      <button id="close" type="button" hidden>Close</button>
      <button id="refresh" type="button">Refresh</button>
    </div>
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
      <dt>Objective</dt><dd id="objective"></dd>
      <dt>Forecast accuracy</dt><dd id="accuracy"></dd>
    </dl>
    <p id="reason" class="reason"></p>
    <p class="actions"><button id="apply" type="button" hidden>Verify &amp; Apply…</button></p>
    <p id="objective-text" class="reason muted"></p>
    <p id="accuracy-text" class="reason muted"></p>
  </section>
  <figure class="chart">
    <div id="chart-box" class="chart-box"><canvas id="chart" role="img" aria-label="Scaling chart" aria-describedby="chart-summary"></canvas></div>
    <figcaption id="chart-summary" class="muted">Waiting for data…</figcaption>
  </figure>
  <p id="updated" class="muted"></p>
</main>`,
  });
}
