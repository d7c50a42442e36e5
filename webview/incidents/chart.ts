// Draws an incident's signal chart with chart.js. It only draws: the datasets come ready-made from the
// host (src/ui/incidentsPanel/incidentChartData); this file picks theme colours and axes.
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import type { IncidentChartData } from '../../src/core/diagnose/incidentChartData';
import type { ChartTheme } from '../shared/theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

export interface SignalTheme extends ChartTheme {
  value?: string;
  reference?: string;
}

export function readSignalTheme(base: ChartTheme, root: Element = document.documentElement): SignalTheme {
  const style = getComputedStyle(root);
  const v = (name: string) => style.getPropertyValue(name).trim() || undefined;
  return {
    ...base,
    value: v('--vscode-charts-blue') ?? base.demand,
    reference: v('--vscode-charts-red') ?? v('--vscode-errorForeground'),
  };
}

export function clock(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

type Line = ChartDataset<'line', { x: number; y: number }[]>;

export class SignalChart {
  private chart: Chart<'line', { x: number; y: number }[]> | undefined;
  private data: IncidentChartData | undefined;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private theme: SignalTheme,
  ) {}

  draw(data: IncidentChartData): void {
    this.data = data;
    const datasets: Line[] = data.datasets.map((d) => {
      const color = d.role === 'value' ? (this.theme.value ?? '#3b82f6') : (this.theme.reference ?? '#ef4444');
      return {
        label: d.label,
        data: d.data.map((p) => ({ ...p })),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: d.data.length === 1 ? 3 : 0,
        stepped: d.stepped,
        ...(d.role === 'reference' ? { borderDash: [6, 4] } : {}),
      };
    });
    if (!this.chart) {
      this.chart = new Chart<'line', { x: number; y: number }[]>(this.canvas, {
        type: 'line',
        data: { datasets },
        options: this.options(data),
      });
      return;
    }
    this.chart.data.datasets = datasets;
    this.chart.options = this.options(data);
    this.chart.update('none');
  }

  setTheme(theme: SignalTheme): void {
    this.theme = theme;
    if (this.data) this.draw(this.data);
  }

  private options(data: IncidentChartData) {
    const { text, grid, font } = this.theme;
    const fontOption = font ? { font: { family: font } } : {};
    const ticks = { color: text, ...fontOption };
    return {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false as const,
      interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
      scales: {
        x: {
          type: 'linear' as const,
          ticks: { ...ticks, maxTicksLimit: 6, callback: (v: string | number) => clock(Number(v)) },
          grid: { color: grid },
        },
        y: {
          type: 'linear' as const,
          beginAtZero: true,
          grace: data.unit ? '5%' : 1,
          title: { display: true, text: data.yLabel, color: text, ...fontOption },
          ticks: { ...ticks, ...(data.unit ? {} : { precision: 0 }) },
          grid: { color: grid },
        },
      },
      plugins: {
        legend: { labels: { color: text, ...fontOption } },
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
