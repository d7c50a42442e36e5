// Draws the scaling chart data with chart.js. It only draws: datasets come ready-made from the
// host (core/scaling/scalingChartData); this file picks theme colours, axes and the legend.
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset as LineDataset,
  type LegendItem,
} from 'chart.js';
import type { ChartDataset, ScalingChartData } from '../../src/core/scaling/scalingChartData';
import type { DemandUnit } from '../../src/ui/scalingPanel/protocol';
import type { ChartTheme } from '../shared/theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);

export type SeriesRole = 'demand' | 'band' | 'forecast' | 'ready' | 'proposal';

/** What a dataset shows, read from its axis and style rather than its label. */
export function roleOf(d: Pick<ChartDataset, 'yAxisID' | 'borderColor' | 'borderDash'>): SeriesRole {
  if (d.yAxisID === 'replicas') return d.borderDash ? 'proposal' : 'ready';
  if (d.borderColor === 'transparent') return 'band';
  return d.borderDash ? 'forecast' : 'demand';
}

export function clock(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function themed(d: ChartDataset, theme: ChartTheme): LineDataset<'line', { x: number; y: number | null }[]> {
  const role = roleOf(d);
  const color = role === 'band' ? undefined : theme[role];
  const out = { ...d, data: d.data.map((p) => ({ ...p })), borderWidth: role === 'band' ? 0 : 2, spanGaps: false };
  if (role === 'band') out.backgroundColor = theme.band ?? d.backgroundColor;
  else if (color) {
    out.borderColor = color;
    out.backgroundColor = color;
  }
  return out as LineDataset<'line', { x: number; y: number | null }[]>;
}

export class ScalingChart {
  private chart: Chart<'line', { x: number; y: number | null }[]> | undefined;
  private data: ScalingChartData = { datasets: [] };
  private demand: DemandUnit = { label: 'Demand', unit: '' };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private theme: ChartTheme,
  ) {}

  draw(data: ScalingChartData, demand: DemandUnit): void {
    this.data = data;
    this.demand = demand;
    const datasets = data.datasets.map((d) => themed(d, this.theme));
    if (!this.chart) {
      this.chart = new Chart<'line', { x: number; y: number | null }[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        options: this.options(),
      });
      return;
    }
    this.chart.data.datasets = datasets;
    this.chart.options = this.options();
    this.chart.update('none');
  }

  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    if (this.chart) this.draw(this.data, this.demand);
  }

  dispose(): void {
    this.chart?.destroy();
    this.chart = undefined;
  }

  private options() {
    const { text, grid, font } = this.theme;
    const ticks = { color: text, ...(font ? { font: { family: font } } : {}) };
    const axisTitle = (label: string) => ({
      display: true,
      text: label,
      color: text,
      ...(font ? { font: { family: font } } : {}),
    });
    const data = this.data;
    const xs = data.datasets.flatMap((d) => d.data.map((p) => p.x));
    const range = xs.length > 0 ? { min: Math.min(...xs), max: Math.max(...xs) } : {};
    return {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false as const,
      normalized: true,
      interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
      scales: {
        x: {
          type: 'linear' as const,
          ...range,
          ticks: { ...ticks, maxTicksLimit: 8, callback: (v: string | number) => clock(Number(v)) },
          grid: { color: grid },
        },
        rps: {
          type: 'linear' as const,
          position: 'left' as const,
          beginAtZero: true,
          title: axisTitle(this.demand.label),
          ticks,
          grid: { color: grid },
        },
        replicas: {
          type: 'linear' as const,
          position: 'right' as const,
          beginAtZero: true,
          grace: 1,
          title: axisTitle('Replicas'),
          ticks: { ...ticks, precision: 0 },
          grid: { drawOnChartArea: false, color: grid },
        },
      },
      plugins: {
        legend: {
          labels: {
            color: text,
            ...(font ? { font: { family: font } } : {}),
            filter: (item: LegendItem) => {
              const d = data.datasets[item.datasetIndex ?? -1];
              return !d || roleOf(d) !== 'band' || d.fill !== false;
            },
            generateLabels: (chart: Chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
                const d = data.datasets[item.datasetIndex ?? -1];
                return d && roleOf(d) === 'band' ? { ...item, text: 'Forecast band' } : item;
              }),
          },
        },
        tooltip: {
          callbacks: {
            title: (items: { parsed: { x: number | null } }[]) =>
              items[0]?.parsed.x != null ? clock(items[0].parsed.x) : '',
          },
        },
      },
    };
  }
}
