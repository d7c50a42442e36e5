// Chart data for the scaling panel: history, forecast band and proposal as plain objects shaped
// like chart.js `ChartData` for a line chart, so the webview can hand them to chart.js unchanged.
import type { ForecastPoint } from './forecast';
import type { Observation } from './policy';
import type { ScalingProposal } from './scalingProposal';

export interface ChartPoint {
  x: number;
  y: number | null;
}

export interface ChartDataset {
  label: string;
  data: ChartPoint[];
  yAxisID: 'rps' | 'replicas';
  borderColor: string;
  backgroundColor: string;
  borderDash?: number[];
  fill?: string | boolean;
  pointRadius: number;
  stepped?: boolean;
  tension?: number;
}

export interface ScalingChartData {
  datasets: ChartDataset[];
}

export interface ChartInput {
  history: readonly Observation[];
  forecast: readonly ForecastPoint[];
  proposal?: ScalingProposal;
  /** Most recent history points shown (older ones are dropped). */
  maxHistoryPoints?: number;
  /** Label of the demand series (default "Requests/s"; e.g. "CPU cores" for live CPU demand). */
  demandLabel?: string;
}

const COLORS = {
  rps: '#3b82f6',
  forecast: '#a855f7',
  band: 'rgba(168, 85, 247, 0.15)',
  ready: '#22c55e',
  proposal: '#f97316',
};

export function scalingChartData(input: ChartInput): ScalingChartData {
  const history = input.history.slice(-(input.maxHistoryPoints ?? 240));
  const last = history[history.length - 1];
  const anchor = last ? [{ x: last.t, y: last.rps }] : [];
  const datasets: ChartDataset[] = [
    {
      label: input.demandLabel ?? 'Requests/s',
      data: history.map((o) => ({ x: o.t, y: o.rps })),
      yAxisID: 'rps',
      borderColor: COLORS.rps,
      backgroundColor: COLORS.rps,
      pointRadius: 0,
      tension: 0.2,
    },
    {
      label: 'Forecast upper',
      data: [...anchor, ...input.forecast.map((p) => ({ x: p.t, y: p.upper }))],
      yAxisID: 'rps',
      borderColor: 'transparent',
      backgroundColor: COLORS.band,
      fill: '+1',
      pointRadius: 0,
    },
    {
      label: 'Forecast lower',
      data: [...anchor, ...input.forecast.map((p) => ({ x: p.t, y: p.lower }))],
      yAxisID: 'rps',
      borderColor: 'transparent',
      backgroundColor: COLORS.band,
      fill: false,
      pointRadius: 0,
    },
    {
      label: 'Forecast',
      data: [...anchor, ...input.forecast.map((p) => ({ x: p.t, y: p.median }))],
      yAxisID: 'rps',
      borderColor: COLORS.forecast,
      backgroundColor: COLORS.forecast,
      borderDash: [6, 4],
      pointRadius: 0,
    },
    {
      label: 'Ready replicas',
      data: history.map((o) => ({ x: o.t, y: o.ready })),
      yAxisID: 'replicas',
      borderColor: COLORS.ready,
      backgroundColor: COLORS.ready,
      pointRadius: 0,
      stepped: true,
    },
  ];
  if (input.proposal && last) {
    const end = input.forecast.length > 0 ? input.forecast[input.forecast.length - 1]!.t : last.t;
    datasets.push({
      label: `Proposed replicas (${input.proposal.replicas})`,
      data: [
        { x: last.t, y: input.proposal.replicas },
        { x: end, y: input.proposal.replicas },
      ],
      yAxisID: 'replicas',
      borderColor: COLORS.proposal,
      backgroundColor: COLORS.proposal,
      borderDash: [2, 2],
      pointRadius: 2,
      stepped: true,
    });
  }
  return { datasets };
}
