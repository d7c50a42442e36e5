// Cluster text made safe for Markdown hovers, status bar items and quick picks: names and messages
// are data, never markup, icons or command links. Also the Markdown of the manifest hover, built
// here without the editor API so what a user reads there is testable.
import { shownReason, type Evidence, type Incident } from '../core/model/incident';
import type { RootCause } from '../core/model/rootCause';
import { clip } from '../core/detect/support';
import { COMMANDS } from './commandIds';

export function escapeMarkdown(text: string): string {
  // `&` too: an entity such as `&lt;` in a log line would otherwise render as the character it names.
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Breaks `$(icon)` syntax in cluster text shown in status bar items and quick picks. */
export function noIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}

/**
 * The tree item's tooltip, plain text (never Markdown): what the detector saw and, once diagnosed, the
 * cause, which quotes the log line when there is one.
 */
export function incidentTooltip(incident: Incident, cause: RootCause | undefined): string {
  return [
    `${incident.type} (${incident.severity})`,
    incident.summary,
    ...(cause ? [`Cause: ${cause.summary}`] : []),
  ].join('\n');
}

/** Evidence items a hover lists, and the length of each: a hover is a glance, the panel has the rest. */
export const HOVER_EVIDENCE_ITEMS = 6;
export const HOVER_LINE_MAX = 400;

export interface HoverEntry {
  incident: Incident;
  /** Other open incidents with the same cause, shown with it. */
  related: readonly Incident[];
  cause: RootCause;
}

/** The evidence a hover lists: the first few in the cause's order, and the log line always among them. */
export function hoverEvidence(evidence: readonly Evidence[]): Evidence[] {
  const shown = evidence.slice(0, HOVER_EVIDENCE_ITEMS);
  const log = evidence.find((e) => e.kind === 'log');
  if (log && !shown.includes(log)) shown[shown.length - 1] = log;
  return shown;
}

/**
 * The hover on an implicated manifest line; the only links in it are the Explain and Evidence commands.
 * Meant for a MarkdownString without theme icons.
 */
export function insightHoverMarkdown(entries: readonly HoverEntry[]): string {
  const out: string[] = [];
  for (const { incident, cause, related } of entries) {
    const args = encodeURIComponent(JSON.stringify([incident.id]));
    out.push(`**${incident.type}** · ${escapeMarkdown(cause.summary)}\n\n`);
    if (related.length > 0) out.push(`Same cause: ${related.map((r) => r.type).join(', ')}\n\n`);
    out.push(`${escapeMarkdown(cause.explanation)}\n\n`);
    for (const e of hoverEvidence(cause.evidence)) {
      const reason = shownReason(e);
      const line = `${e.source.kind}/${e.source.name}: ${reason ? `${reason} ` : ''}${e.text}`;
      out.push(`- ${escapeMarkdown(clip(line, HOVER_LINE_MAX))}\n`);
    }
    if (cause.fixes.length > 0)
      out.push(`\nSuggested: ${cause.fixes.map((f) => escapeMarkdown(f.summary)).join(' · ')}\n`);
    out.push(
      `\n[Explain](command:${COMMANDS.explainIncident}?${args}) · [Evidence](command:${COMMANDS.showEvidence}?${args}) · confidence ${Math.round(cause.confidence * 100)}%\n\n`,
    );
    if (cause.note) out.push(`_${escapeMarkdown(cause.note)}_\n\n`);
  }
  return out.join('');
}
