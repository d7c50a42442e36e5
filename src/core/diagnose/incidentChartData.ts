// Chart data for an incident's signal over time, shaped like chart.js line datasets so the webview only
// draws: restarts for crash-like incidents, ready against desired replicas for availability incidents,
// memory use against the limit for OOM kills, pending pods for scheduling incidents.
import type { IncidentType } from '../model/incident';
import type { SignalSample } from './signalHistory';
import type { UsageSample } from '../model/usageHistory';

export type SignalKind = 'restarts' | 'ready' | 'memory' | 'pending';

export interface IncidentChartPoint {
  /** Epoch seconds. */
  x: number;
  y: number;
}

export interface IncidentChartDataset {
  label: string;
  /** 'value' is the signal; 'reference' a bound it is judged against (desired replicas, the limit). */
  role: 'value' | 'reference';
  data: IncidentChartPoint[];
  stepped: boolean;
}

export interface IncidentChartData {
  signal: SignalKind;
  title: string;
  /** Axis label, with its unit. */
  yLabel: string;
  /** Short unit for text, e.g. "MiB"; empty for counts. */
  unit: string;
  datasets: IncidentChartDataset[];
}

const SIGNAL_OF: Partial<Record<IncidentType, SignalKind>> = {
  OOMKilled: 'memory',
  CrashLoopBackOff: 'restarts',
  Evicted: 'restarts',
  ReadinessProbeFailing: 'ready',
  ReplicasUnavailable: 'ready',
  RolloutStuck: 'ready',
  RolloutRegression: 'ready',
  ImagePullBackOff: 'ready',
  CreateContainerConfigError: 'ready',
  HPASaturated: 'ready',
  Unschedulable: 'pending',
  QuotaExceeded: 'pending',
};

/** The signal an incident type is charted by, if any. */
export function signalOf(type: IncidentType): SignalKind | undefined {
  return SIGNAL_OF[type];
}

export interface ChartInput {
  type: IncidentType;
  signals: readonly SignalSample[];
  /** Memory samples of the incident's container (any pod), for memory charts. */
  memory?: readonly UsageSample[];
  /** The container's memory limit in bytes. */
  memoryLimit?: number;
  /** Most recent points kept per series. */
  maxPoints?: number;
}

const MIB = 1024 * 1024;
const round = (n: number) => Math.round(n * 10) / 10;

/** The chart of an incident's signal; undefined when its type has none or nothing was sampled yet. */
export function incidentChartData(input: ChartInput): IncidentChartData | undefined {
  const signal = signalOf(input.type);
  const max = input.maxPoints ?? 240;
  const signals = input.signals.slice(-max);
  switch (signal) {
    case undefined:
      return undefined;
    case 'memory': {
      // Several pods report each tick: the chart follows the hungriest, which is the one that gets killed.
      const peaks = new Map<number, number>();
      for (const s of input.memory ?? []) peaks.set(s.t, Math.max(peaks.get(s.t) ?? 0, s.memory));
      const data = [...peaks.entries()]
        .sort((a, b) => a[0] - b[0])
        .slice(-max)
        .map(([x, bytes]) => ({ x, y: round(bytes / MIB) }));
      // A container killed within seconds of starting is rarely running when metrics are read: its restarts tell the story then.
      if (data.length === 0) return restartsChart(signals);
      const datasets: IncidentChartDataset[] = [
        { label: 'Memory use (highest pod)', role: 'value', data, stepped: false },
      ];
      if (input.memoryLimit !== undefined) {
        const limit = round(input.memoryLimit / MIB);
        datasets.push({
          label: `Memory limit (${limit} MiB)`,
          role: 'reference',
          data: [
            { x: data[0]!.x, y: limit },
            { x: data[data.length - 1]!.x, y: limit },
          ],
          stepped: true,
        });
      }
      return { signal, title: 'Memory use against the limit', yLabel: 'Memory (MiB)', unit: 'MiB', datasets };
    }
    case 'restarts':
      return restartsChart(signals);
    case 'ready': {
      if (signals.length === 0) return undefined;
      const datasets: IncidentChartDataset[] = [
        { label: 'Ready replicas', role: 'value', data: signals.map((s) => ({ x: s.t, y: s.ready })), stepped: true },
      ];
      const desired = signals.filter((s) => s.desired !== undefined).map((s) => ({ x: s.t, y: s.desired! }));
      if (desired.length > 0)
        datasets.push({ label: 'Desired replicas', role: 'reference', data: desired, stepped: true });
      return { signal, title: 'Ready against desired replicas', yLabel: 'Replicas', unit: '', datasets };
    }
    case 'pending':
      if (signals.length === 0) return undefined;
      return {
        signal,
        title: 'Pending pods',
        yLabel: 'Pods',
        unit: '',
        datasets: [
          { label: 'Pending pods', role: 'value', data: signals.map((s) => ({ x: s.t, y: s.pending })), stepped: true },
        ],
      };
  }
}

function restartsChart(signals: readonly SignalSample[]): IncidentChartData | undefined {
  if (signals.length === 0) return undefined;
  return {
    signal: 'restarts',
    title: 'Container restarts',
    yLabel: 'Restarts',
    unit: '',
    datasets: [
      {
        label: 'Restarts (all pods)',
        role: 'value',
        data: signals.map((s) => ({ x: s.t, y: s.restarts })),
        stepped: true,
      },
    ],
  };
}

/** The chart in one or two sentences, for screen readers and the caption. */
export function chartSummary(chart: IncidentChartData): string {
  const value = chart.datasets.find((d) => d.role === 'value');
  if (!value || value.data.length === 0) return 'No samples yet.';
  const ys = value.data.map((p) => p.y);
  const last = ys[ys.length - 1]!;
  const unit = chart.unit ? ` ${chart.unit}` : '';
  const minutes = Math.round((value.data[value.data.length - 1]!.x - value.data[0]!.x) / 60);
  const span =
    value.data.length === 1
      ? 'one sample so far'
      : `${value.data.length} samples over ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const parts = [
    `${chart.title}, ${span}: now ${last}${unit}, lowest ${Math.min(...ys)}${unit}, highest ${Math.max(...ys)}${unit}.`,
  ];
  const reference = chart.datasets.find((d) => d.role === 'reference');
  const ref = reference?.data[reference.data.length - 1];
  if (reference && ref) parts.push(`${reference.label.replace(/ \(.*\)$/, '')}: ${ref.y}${unit}.`);
  return parts.join(' ');
}
