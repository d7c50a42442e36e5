// The Scaling panel in the browser: shows the state the host sends, keeps it with setState so a
// panel hidden and shown again paints at once, and asks the host for data through the protocol.
import { dispatch, on } from '../../src/ui/webview/ipc';
import {
  ApplyMessage,
  CloseMessage,
  ReadyMessage,
  RefreshMessage,
  StateMessage,
  type ScalingPanelState,
  type ScalingSavedState,
} from '../../src/ui/scalingPanel/protocol';
import { ScalingChart } from './chart';
import { accuracyText, chartLabel, chartSummary, confidenceText, fixed } from './summary';
import { onThemeChange, readTheme } from '../shared/theme';

import { acquireVsCodeApi } from '../shared/vscodeApi';

// Only the workload's id is saved: a panel shown again, or restored after a reload, asks the host for data.
const vscode = acquireVsCodeApi<ScalingSavedState>();

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

const canvas = element<HTMLCanvasElement>('chart');
const chart = new ScalingChart(canvas, readTheme());
onThemeChange(() => chart.setTheme(readTheme()));

function text(id: string, value: string): void {
  element(id).textContent = value;
}

function render(state: ScalingPanelState): void {
  const w = state.workload;
  text('title', `${w.kind} ${w.namespace}/${w.name}`);
  const observed =
    state.observations === 0
      ? 'no observations yet'
      : `${state.observations} observation${state.observations === 1 ? '' : 's'}, one per ${state.tickSeconds} s`;
  text('subtitle', state.context ? `Context ${state.context} · ${observed}` : '');
  const source = element('source');
  source.textContent = state.source
    ? `Demand (${state.demand.unit}): ${state.source.description}${state.source.policy && !state.source.description.includes(state.source.policy) ? ` · governed by ${state.source.policy}` : ''}`
    : '';
  source.title = state.source?.query ?? '';
  const notes = element<HTMLUListElement>('notes');
  notes.replaceChildren(...state.notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })));
  notes.hidden = state.notes.length === 0;

  element('close').hidden = !state.missing;
  const p = state.proposal;
  element('proposal').hidden = !p;
  if (p) {
    text('current', `${p.currentReplicas} replica${p.currentReplicas === 1 ? '' : 's'} now`);
    text('proposed', p.replicas === p.currentReplicas ? `keep ${p.replicas}` : `${p.replicas} proposed`);
    element('proposed').className =
      p.replicas > p.currentReplicas ? 'up' : p.replicas < p.currentReplicas ? 'down' : 'same';
    text('confidence', confidenceText(p.confidence));
    text('ready', String(p.readyReplicas));
    text('hpa', p.hpa ? boundsText(p.hpa.current, p.hpa.proposed) : 'No HorizontalPodAutoscaler');
    text(
      'capacity',
      p.replicaCapacity !== undefined
        ? `${fixed(p.replicaCapacity)} ${state.demand.unit} at the target utilization`
        : 'Unknown',
    );
    text('reason', p.reason);
    // The act loop verifies a static change (replicas, or the HPA's bounds); nothing to verify when both stay.
    const hpaChanges =
      p.hpa !== undefined &&
      (p.hpa.current.minReplicas !== p.hpa.proposed.minReplicas ||
        p.hpa.current.maxReplicas !== p.hpa.proposed.maxReplicas);
    element('apply').hidden = p.hpa ? !hpaChanges : p.replicas === p.currentReplicas;
    text('objective', p.objective.name);
    text('objective-text', p.objective.text);
    text('accuracy', p.accuracy ? accuracyText(p.accuracy) : 'Not enough history yet');
    text('accuracy-text', p.accuracy?.text ?? '');
  }
  const empty = state.chart.datasets.every((d) => d.data.length === 0);
  element('chart-box').hidden = empty;
  canvas.setAttribute('aria-label', chartLabel(state));
  text('chart-summary', chartSummary(state));
  text('updated', `Updated ${new Date(state.updatedAt).toLocaleTimeString()}`);
  chart.draw(state.chart, state.demand);
}

function boundsText(
  current: { minReplicas: number; maxReplicas: number },
  proposed: { minReplicas: number; maxReplicas: number },
): string {
  const now = `${current.minReplicas}–${current.maxReplicas}`;
  const next = `${proposed.minReplicas}–${proposed.maxReplicas}`;
  return now === next ? `${now} (keep)` : `${now} → ${next}`;
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  dispatch(event.data, [
    on(StateMessage, (state) => {
      vscode.setState({ workload: state.workload });
      render(state);
    }),
  ]);
});
element('refresh').addEventListener('click', () => vscode.postMessage(RefreshMessage.create()));
element('close').addEventListener('click', () => vscode.postMessage(CloseMessage.create()));
element('apply').addEventListener('click', () => vscode.postMessage(ApplyMessage.create()));
vscode.postMessage(ReadyMessage.create());
