// The Incidents panel's markup: filters, the incident table (rows are drawn by webview/incidents, only
// those in view) and the detail pane. Nothing from the cluster is in this page; it all arrives as data
// and is written as text.
import { INCIDENT_TYPES } from '../../core/model/incident';
import { SEVERITIES } from '../../core/model/severity';
import { panelHtml } from '../webview/webviewHtml';

export interface IncidentsPageInput {
  cspSource: string;
  scriptUri: string;
  styleUris: readonly string[];
  nonce: string;
}

const COLUMNS = [
  ['severity', 'Severity'],
  ['type', 'Type'],
  ['workload', 'Workload'],
  ['namespace', 'Namespace'],
  ['age', 'Age'],
  ['cause', 'Root cause'],
] as const;

const options = (values: readonly string[]) => values.map((v) => `<option value="${v}">${v}</option>`).join('');

export function incidentsPanelHtml(input: IncidentsPageInput): string {
  const headers = COLUMNS.map(
    ([id, label]) =>
      `<div role="columnheader" class="cell col-${id}" data-col="${id}" aria-sort="none"><button type="button" class="sort" data-col="${id}">${label}<span class="sort-mark" aria-hidden="true"></span></button></div>`,
  ).join('');
  return panelHtml({
    ...input,
    title: 'Incidents',
    body: `<main class="incidents">
  <header class="header">
    <div>
      <h1 id="title">Incidents</h1>
      <p id="subtitle" class="muted"></p>
    </div>
  </header>
  <ul id="notes" class="notes" role="status" aria-live="polite" hidden></ul>
  <div class="tabs" role="tablist" aria-label="Views">
    <button type="button" role="tab" id="tab-incidents" class="tab" aria-selected="true" aria-controls="incidents-view">Incidents</button>
    <button type="button" role="tab" id="tab-changes" class="tab" aria-selected="false" aria-controls="changes-view" tabindex="-1">Applied changes</button>
  </div>
  <section id="changes-view" role="tabpanel" aria-labelledby="tab-changes" hidden>
    <p id="changes-empty" class="muted">No change was applied in this context.</p>
    <table id="changes-table" class="changes" hidden>
      <thead><tr><th scope="col">Change</th><th scope="col">Target</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">When</th><th scope="col">Actions</th></tr></thead>
      <tbody id="changes-rows"></tbody>
    </table>
  </section>
  <div class="toolbar" role="search" aria-label="Filter incidents">
    <input id="search" type="search" placeholder="Search workload, type, cause…" aria-label="Search incidents" autocomplete="off">
    <label>Namespace <select id="filter-namespace" aria-label="Filter by namespace"><option value="">All</option></select></label>
    <label>Severity <select id="filter-severity" aria-label="Filter by severity"><option value="">All</option>${options(SEVERITIES)}</select></label>
    <label>Type <select id="filter-type" aria-label="Filter by type"><option value="">All</option>${options(INCIDENT_TYPES)}</select></label>
    <span id="count" class="muted" role="status" aria-live="polite"></span>
  </div>
  <div class="split" id="incidents-view" role="tabpanel" aria-labelledby="tab-incidents">
    <section class="list" aria-label="Incident list">
      <div id="grid" class="grid" role="treegrid" aria-label="Incidents: arrow keys move, Enter shows the detail, Right and Left open and close a group" tabindex="0">
        <div role="rowgroup" class="thead"><div role="row" class="row head">${headers}</div></div>
        <div id="viewport" class="viewport" role="rowgroup"><div id="spacer" class="spacer"></div></div>
      </div>
      <p id="empty" class="muted empty" hidden>No incident matches the filters.</p>
    </section>
    <section id="detail" class="detail" aria-label="Incident detail" tabindex="-1">
      <p id="detail-empty" class="muted">Select an incident to see its root cause, evidence chain and signal.</p>
      <div id="detail-missing" class="missing" role="alert" hidden>
        <p id="missing-text"></p>
        <div class="actions">
          <button id="close" type="button">Close Panel</button>
          <button id="dismiss" type="button" class="secondary">Back to the List</button>
        </div>
      </div>
      <article id="detail-body" hidden>
        <h2 id="detail-title"></h2>
        <p id="detail-meta" class="muted"></p>
        <p id="detail-summary" class="summary"></p>
        <div class="actions" role="toolbar" aria-label="Incident actions">
          <button type="button" data-action="explain">Explain</button>
          <button type="button" class="secondary" data-action="revealManifest">Reveal Manifest</button>
          <button type="button" class="secondary" data-action="openYaml">Open Live YAML</button>
        </div>
        <p id="notice" class="notice" role="status" aria-live="polite" hidden></p>
        <section id="proposals" aria-labelledby="proposals-heading" hidden>
          <h3 id="proposals-heading">Proposed fixes</h3>
          <ul id="proposal-list" class="proposals"></ul>
        </section>
        <section id="cause" aria-labelledby="cause-heading" tabindex="-1">
          <h3 id="cause-heading">Root cause</h3>
          <p id="cause-summary" class="cause-summary"></p>
          <p id="cause-explanation"></p>
          <p id="cause-meta" class="muted"></p>
          <div id="cause-fields-box" hidden><h4>Implicated fields</h4><ul id="cause-fields" class="fields"></ul></div>
          <div id="cause-fixes-box" hidden><h4>Suggested fixes</h4><ul id="cause-fixes"></ul></div>
          <div id="cause-hypotheses-box" hidden><h4>Other hypotheses (from the LLM, unverified)</h4><ul id="cause-hypotheses"></ul></div>
        </section>
        <section id="signal" aria-labelledby="signal-heading" hidden>
          <h3 id="signal-heading">Signal</h3>
          <div class="chart-box"><canvas id="chart" role="img" aria-label="Signal chart" aria-describedby="chart-summary"></canvas></div>
          <p id="chart-summary" class="muted"></p>
        </section>
        <section aria-labelledby="timeline-heading">
          <h3 id="timeline-heading">Evidence chain</h3>
          <ol id="timeline" class="timeline"></ol>
        </section>
        <section id="trail-box" aria-labelledby="trail-heading" hidden>
          <h3 id="trail-heading">Agent trail</h3>
          <ul id="trail" class="trail"></ul>
        </section>
      </article>
    </section>
  </div>
</main>`,
  });
}
