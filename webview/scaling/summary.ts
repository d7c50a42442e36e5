// The panel's words: the proposal facts and a text summary of the chart for screen readers.
import type { ScalingChartData } from '../../src/core/scaling/scalingChartData';
import type { ScalingPanelState } from '../../src/ui/scalingPanel/protocol';
import { clock, roleOf, type SeriesRole } from './chart';

export function fixed(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function values(chart: ScalingChartData, role: SeriesRole): { x: number; y: number }[] {
  const d = chart.datasets.find((s) => roleOf(s) === role && (role !== 'band' || s.fill !== false));
  return (d?.data ?? []).filter((p): p is { x: number; y: number } => p.y !== null);
}

function lowerBand(chart: ScalingChartData): { x: number; y: number }[] {
  const d = chart.datasets.find((s) => roleOf(s) === 'band' && s.fill === false);
  return (d?.data ?? []).filter((p): p is { x: number; y: number } => p.y !== null);
}

export function chartLabel(state: ScalingPanelState): string {
  const w = state.workload;
  const demand = values(state.chart, 'demand');
  const span = demand.length > 1 ? Math.round((demand[demand.length - 1]!.x - demand[0]!.x) / 60) : 0;
  return `Line chart of ${state.demand.label} and replicas for ${w.kind} ${w.namespace}/${w.name}${span > 0 ? ` over the last ${span} minutes` : ''}, with the forecast and its band.`;
}

/** One or two sentences that say what the chart shows. */
export function chartSummary(state: ScalingPanelState): string {
  const unit = state.demand.unit;
  const demand = values(state.chart, 'demand');
  if (demand.length === 0) return 'No demand to chart yet.';
  const ys = demand.map((p) => p.y);
  const last = demand[demand.length - 1]!;
  const parts = [
    `${state.demand.label} from ${clock(demand[0]!.x)} to ${clock(last.x)}: now ${fixed(last.y)} ${unit}, lowest ${fixed(Math.min(...ys))}, highest ${fixed(Math.max(...ys))}.`,
  ];
  const forecast = values(state.chart, 'forecast').slice(1);
  const upper = values(state.chart, 'band').slice(1);
  const lower = lowerBand(state.chart).slice(1);
  if (forecast.length > 0) {
    const end = forecast[forecast.length - 1]!;
    const band =
      upper.length > 0 && lower.length > 0
        ? ` (band ${fixed(Math.min(...lower.map((p) => p.y)))} to ${fixed(Math.max(...upper.map((p) => p.y)))})`
        : '';
    parts.push(`Forecast to ${clock(end.x)}: ${fixed(end.y)} ${unit}${band}.`);
  }
  const ready = values(state.chart, 'ready');
  if (ready.length > 0) parts.push(`Ready replicas now ${ready[ready.length - 1]!.y}.`);
  if (state.proposal) parts.push(`Proposed replicas ${state.proposal.replicas}.`);
  return parts.join(' ');
}

/** The short form for the facts list: the median's error and how often demand stayed inside the band. */
export function accuracyText(a: { weightedError?: number | undefined; coverage: number }): string {
  const error = a.weightedError === undefined ? '' : `${Math.round(a.weightedError * 100)} % error, `;
  return `${error}${Math.round(a.coverage * 100)} % inside the band`;
}

export function confidenceText(confidence: number): string {
  const word = confidence >= 0.7 ? 'high' : confidence >= 0.4 ? 'medium' : 'low';
  return `${Math.round(confidence * 100)} % (${word})`;
}
