// The detail pane: root cause, the incident's signal chart, the evidence chain as a timeline, the
// actions and (when the host supplies them) the proposals to verify and apply. Text only: everything
// from the cluster is written with textContent.
import { age } from '../../src/core/model/age';
import { chartSummary } from '../../src/core/diagnose/incidentChartData';
import type { IncidentDetail, ProposalAction, TimelineEntry } from '../../src/ui/incidentsPanel/protocol';
import { SignalChart } from './chart';

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

function node<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

function list(id: string, boxId: string, items: readonly string[], tag: 'li-code' | 'li' = 'li'): void {
  element(id).replaceChildren(
    ...items.map((t) => {
      const li = node('li');
      if (tag === 'li-code') li.append(node('code', t));
      else li.textContent = t;
      return li;
    }),
  );
  element(boxId).hidden = items.length === 0;
}

export function confidenceText(confidence: number): string {
  const word = confidence >= 0.7 ? 'high' : confidence >= 0.4 ? 'medium' : 'low';
  return `${Math.round(confidence * 100)} % (${word})`;
}

function when(iso: string | undefined, now: Date): string {
  if (!iso) return 'now';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })} (${age(iso, now)} ago)`;
}

function timelineItem(e: TimelineEntry, now: Date): HTMLLIElement {
  const li = node('li', undefined, `entry kind-${e.kind}`);
  const time = node('span', when(e.lastSeen ?? e.firstSeen, now), 'when');
  const head = node('div', undefined, 'entry-head');
  head.append(time, node('span', e.kind, 'badge'), node('span', e.source, 'source'));
  const body = node('div', undefined, 'entry-body');
  if (e.reason) body.append(node('strong', e.reason), document.createTextNode(' '));
  body.append(document.createTextNode(e.text));
  if (e.count !== undefined && e.count > 1) body.append(node('span', ` ×${e.count}`, 'count'));
  if (e.firstSeen && e.lastSeen && e.firstSeen !== e.lastSeen)
    body.append(node('span', ` since ${when(e.firstSeen, now)}`, 'muted'));
  li.append(head, body);
  if (e.field) li.append(node('code', e.field, 'field'));
  return li;
}

export interface DetailEvents {
  verify(proposal: ProposalAction): void;
}

export class DetailPane {
  constructor(
    private readonly chart: SignalChart,
    private readonly events: DetailEvents,
  ) {}

  showEmpty(): void {
    element('detail-empty').hidden = false;
    element('detail-missing').hidden = true;
    element('detail-body').hidden = true;
  }

  showMissing(text: string): void {
    element('detail-empty').hidden = true;
    element('detail-body').hidden = true;
    element('detail-missing').hidden = false;
    element('missing-text').textContent = text;
  }

  /** `correlated`: how many other incidents the panel lists in this one's group. */
  show(detail: IncidentDetail, now: Date, correlated = 0): void {
    element('detail-empty').hidden = true;
    element('detail-missing').hidden = true;
    element('detail-body').hidden = false;
    const row = detail.row;
    const w = row.workload;
    element('detail-title').textContent = `${row.type}: ${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
    const meta = [
      row.severity,
      row.status,
      `first seen ${age(row.firstSeen, now)} ago`,
      `last seen ${age(row.lastSeen, now)} ago`,
    ];
    if (row.resolvedAt) meta.push(`resolved ${age(row.resolvedAt, now)} ago`);
    if (correlated > 0) meta.push(`correlated with ${correlated} other incident${correlated === 1 ? '' : 's'}`);
    element('detail-meta').textContent = meta.join(' · ');
    element('detail-summary').textContent = row.summary;
    const notice = element('notice');
    notice.hidden = !detail.notice;
    notice.textContent = detail.notice ?? '';

    const proposals = detail.proposals ?? [];
    element('proposals').hidden = proposals.length === 0;
    element('proposal-list').replaceChildren(
      ...proposals.map((p) => {
        const li = node('li');
        const button = node('button', 'Verify & Apply…');
        button.type = 'button';
        button.setAttribute('aria-label', `Verify and apply: ${p.summary}`);
        button.addEventListener('click', () => this.events.verify(p));
        li.append(node('span', p.summary), button);
        return li;
      }),
    );

    const cause = detail.cause;
    element('cause-summary').textContent = cause
      ? cause.summary
      : row.status === 'open'
        ? 'Not diagnosed yet.'
        : 'Resolved incidents are not diagnosed.';
    element('cause-explanation').textContent = cause?.explanation ?? '';
    element('cause-meta').textContent = cause
      ? `Confidence ${confidenceText(cause.confidence)} · ${cause.category}${cause.source === 'llm' ? ' · worded by the configured LLM' : ' · rule engine'}${cause.note ? ` · ${cause.note}` : ''}`
      : '';
    list('cause-fields', 'cause-fields-box', cause?.fields ?? [], 'li-code');
    list('cause-fixes', 'cause-fixes-box', cause?.fixes ?? []);
    list('cause-hypotheses', 'cause-hypotheses-box', cause?.hypotheses ?? []);

    const signal = element('signal');
    signal.hidden = !detail.chart;
    if (detail.chart) {
      element('signal-heading').textContent = detail.chart.title;
      const summary = chartSummary(detail.chart);
      element('chart-summary').textContent = summary;
      element('chart').setAttribute('aria-label', `Line chart: ${summary}`);
      this.chart.draw(detail.chart);
    }

    element('timeline').replaceChildren(...detail.timeline.map((e) => timelineItem(e, now)));
    element('trail-box').hidden = detail.trail.length === 0;
    element('trail').replaceChildren(...detail.trail.map((t) => node('li', t)));
  }
}
