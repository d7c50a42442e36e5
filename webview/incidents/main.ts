// The Incidents panel in the browser: keeps the user's filters, sort, folded groups and selection
// across live updates (and, as ids, across reloads), draws the table and the detail pane, and talks to
// the host only through the protocol's descriptors.
import { dispatch, on } from '../../src/ui/webview/ipc';
import {
  ActionMessage,
  ChangesMessage,
  CloseMessage,
  DetailMessage,
  FocusMessage,
  INCIDENT_ACTIONS,
  ReadyMessage,
  RollbackChangeMessage,
  savedIncidentsState,
  SelectMessage,
  StateMessage,
  VerifyMessage,
  type IncidentAction,
  type IncidentFilters,
  type IncidentsPanelState,
  type IncidentsSavedState,
  type IncidentSort,
  type SortColumn,
} from '../../src/ui/incidentsPanel/protocol';
import { onThemeChange, readTheme } from '../shared/theme';
import { acquireVsCodeApi } from '../shared/vscodeApi';
import { renderChanges, setUpTabs } from './changes';
import { readSignalTheme, SignalChart } from './chart';
import { DetailPane } from './detail';
import {
  DEFAULT_SORT,
  displayRows,
  indexOfIncident,
  matches,
  namespacesOf,
  NO_FILTERS,
  type DisplayRow,
} from './incidentList';
import { IncidentTable } from './table';

const started = performance.now();
const vscode = acquireVsCodeApi<IncidentsSavedState>();

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

const saved = savedIncidentsState(vscode.getState());
let filters: IncidentFilters = saved.filters ?? { ...NO_FILTERS };
let sort: IncidentSort = saved.sort ?? DEFAULT_SORT;
const collapsed = new Set<string>(saved.collapsed ?? []);
let selected: string | undefined = saved.selected;
let state: IncidentsPanelState | undefined;
let rendered = 0;

const search = element<HTMLInputElement>('search');
const namespaceFilter = element<HTMLSelectElement>('filter-namespace');
const severityFilter = element<HTMLSelectElement>('filter-severity');
const typeFilter = element<HTMLSelectElement>('filter-type');
const grid = element('grid');
const table = new IncidentTable(grid, element('viewport'), element('spacer'), {
  select: (id) => select(id),
  toggle: (groupId, expand) => {
    if (expand) collapsed.delete(groupId);
    else collapsed.add(groupId);
    persist();
    refresh();
  },
});
const chart = new SignalChart(element<HTMLCanvasElement>('chart'), readSignalTheme(readTheme()));
onThemeChange(() => chart.setTheme(readSignalTheme(readTheme())));
const detail = new DetailPane(chart, {
  verify: (p) =>
    selected &&
    vscode.postMessage(VerifyMessage.create({ id: selected, proposalId: p.proposalId, planHash: p.planHash })),
});

function persist(): void {
  vscode.setState({ ...(selected ? { selected } : {}), filters, sort, collapsed: [...collapsed] });
}

function showFilters(): void {
  search.value = filters.text;
  severityFilter.value = filters.severity;
  typeFilter.value = filters.type;
  namespaceFilter.value = filters.namespace;
}

function fillNamespaces(rows: IncidentsPanelState['rows']): void {
  const names = namespacesOf(rows);
  if (filters.namespace && !names.includes(filters.namespace)) names.push(filters.namespace);
  const current = [...namespaceFilter.options].slice(1).map((o) => o.value);
  if (current.join('\n') !== names.join('\n')) {
    namespaceFilter.replaceChildren(new Option('All', ''), ...names.map((n) => new Option(n, n)));
  }
  namespaceFilter.value = filters.namespace;
}

function sortMarks(): void {
  for (const header of grid.querySelectorAll<HTMLElement>('[role=columnheader]')) {
    const active = header.dataset['col'] === sort.column;
    header.setAttribute('aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : 'none');
    const mark = header.querySelector('.sort-mark');
    if (mark) mark.textContent = active ? (sort.descending ? ' ▼' : ' ▲') : '';
  }
}

/** Where the keyboard cursor goes after the rows changed: the same incident or group if still shown. */
function activeIndexAfter(previous: DisplayRow | undefined, display: DisplayRow[]): number {
  if (previous?.kind === 'group') {
    const i = display.findIndex((d) => d.kind === 'group' && d.groupId === previous.groupId);
    if (i >= 0) return i;
  } else if (previous?.kind === 'incident') {
    const i = indexOfIncident(display, previous.row.id);
    if (i >= 0) return i;
  }
  if (selected) {
    const i = indexOfIncident(display, selected);
    if (i >= 0) return i;
  }
  return Math.min(table.activeIndex, display.length - 1);
}

/** Recomputes what the table shows and redraws it; records how long that took for the benchmark. */
function refresh(): void {
  if (!state) return;
  const t0 = performance.now();
  const previous = table.rows[table.activeIndex];
  const display = displayRows(state.rows, filters, sort, collapsed);
  table.setRows(display, new Date(), activeIndexAfter(previous, display), selected);
  const shown = display.reduce((n, d) => n + (d.kind === 'incident' ? 1 : d.expanded ? 0 : d.members.length), 0);
  const open = state.rows.filter((r) => r.status === 'open').length;
  element('count').textContent =
    shown === state.rows.length
      ? `${state.rows.length} incidents (${open} open)`
      : `${shown} of ${state.rows.length} incidents shown`;
  element('empty').hidden = display.length > 0 || state.rows.length === 0;
  sortMarks();
  const ms = performance.now() - t0;
  document.body.dataset['renderMs'] = ms.toFixed(1);
  if (rendered++ === 0) document.body.dataset['firstRenderMs'] = (performance.now() - started).toFixed(1);
  document.body.dataset['renders'] = String(rendered);
}

/** Writes a text only when it changed, so an unchanged line costs no style or layout work. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

let shownNotes = '';

// The host sends at most one list a second, so each is drawn as it arrives (waiting for a frame
// would only add latency).
function render(next: IncidentsPanelState): void {
  const t0 = performance.now();
  state = next;
  setText(
    element('subtitle'),
    next.context
      ? `Context ${next.context} · open incidents and those resolved in the last ${next.retentionMinutes} minutes · updated ${new Date(next.updatedAt).toLocaleTimeString()}`
      : '',
  );
  const notesKey = next.notes.join('\n');
  if (notesKey !== shownNotes) {
    shownNotes = notesKey;
    const notes = element<HTMLUListElement>('notes');
    notes.replaceChildren(...next.notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })));
    notes.hidden = next.notes.length === 0;
  }
  fillNamespaces(next.rows);
  refresh();
  // For the benchmark: the whole handling of a list from the host, the host's own build time, and
  // (once the browser has drawn the next frame: style, layout and paint included) the time to it.
  const body = document.body.dataset;
  body['stateMs'] = (performance.now() - t0).toFixed(1);
  body['hostBuildMs'] = String(next.buildMs ?? '');
  body['rows'] = String(next.rows.length);
  const drawn = rendered;
  requestAnimationFrame(() =>
    setTimeout(() => {
      body['frameMs'] = (performance.now() - t0).toFixed(1);
      body['framedRenders'] = String(drawn);
    }),
  );
}

function select(id: string): void {
  selected = id;
  persist();
  table.setSelected(id);
  vscode.postMessage(SelectMessage.create({ id }));
}

/** A command asked for this incident: make it visible (open its group, clear filters that hide it) and select it. */
function focusIncident(id: string): void {
  const row = state?.rows.find((r) => r.id === id);
  if (row?.groupId) collapsed.delete(row.groupId);
  if (row && !matches(row, filters)) {
    filters = { ...NO_FILTERS };
    showFilters();
  }
  selected = id;
  persist();
  refresh();
  const index = indexOfIncident(table.rows, id);
  if (index >= 0) table.setActive(index);
  element('detail').focus({ preventScroll: true });
}

setUpTabs();
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  dispatch(event.data, [
    on(StateMessage, render),
    on(FocusMessage, ({ id }) => focusIncident(id)),
    on(DetailMessage, (payload) => {
      if (payload.id !== selected) return;
      if (payload.detail) {
        const group = payload.detail.row.groupId;
        const others = group ? (state?.rows.filter((r) => r.groupId === group && r.id !== payload.id).length ?? 0) : 0;
        detail.show(payload.detail, new Date(), others);
      } else detail.showMissing(payload.missing ?? 'This incident is not tracked any more.');
    }),
    on(ChangesMessage, ({ rows }) =>
      renderChanges(rows, (changeId) => vscode.postMessage(RollbackChangeMessage.create({ changeId }))),
    ),
  ]);
});

function onFilter(change: Partial<IncidentFilters>): void {
  filters = { ...filters, ...change };
  persist();
  refresh();
}

search.addEventListener('input', () => onFilter({ text: search.value }));
namespaceFilter.addEventListener('change', () => onFilter({ namespace: namespaceFilter.value }));
severityFilter.addEventListener('change', () =>
  onFilter({ severity: severityFilter.value as IncidentFilters['severity'] }),
);
typeFilter.addEventListener('change', () => onFilter({ type: typeFilter.value }));
grid.addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button.sort');
  if (!button) return;
  const column = button.dataset['col'] as SortColumn;
  sort =
    sort.column === column
      ? { column, descending: !sort.descending }
      : { column, descending: column === 'severity' || column === 'age' };
  persist();
  refresh();
});
for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) {
  const action = button.dataset['action'] as IncidentAction;
  if (!(INCIDENT_ACTIONS as readonly string[]).includes(action)) continue;
  button.addEventListener('click', () => {
    if (!selected) return;
    vscode.postMessage(ActionMessage.create({ id: selected, action }));
    if (action === 'explain') element('cause').focus();
  });
}
element('close').addEventListener('click', () => vscode.postMessage(CloseMessage.create()));
element('dismiss').addEventListener('click', () => {
  selected = undefined;
  persist();
  table.setSelected(undefined);
  detail.showEmpty();
  grid.focus();
});

showFilters();
sortMarks();
persist();
if (selected) vscode.postMessage(SelectMessage.create({ id: selected }));
vscode.postMessage(ReadyMessage.create());
