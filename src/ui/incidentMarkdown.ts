// The evidence of an incident as Markdown, for the evidence document and hovers. Cluster text is
// escaped: names and messages are data, never markup or command links.
import type { Evidence, Incident } from '../core/model/incident';
import type { IncidentAnalysis } from '../agent/incidentMonitor';
import type { RootCause } from '../core/model/rootCause';

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Breaks `$(icon)` syntax in cluster text shown in status bar items and quick picks. */
export function noIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}

export function age(fromIso: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d`;
}

function evidenceLine(e: Evidence): string {
  const source = `${e.source.kind}/${e.source.name}`;
  const field = e.field ? ` \`${e.field.replace(/`/g, "'")}\`` : '';
  const count = e.count && e.count > 1 ? ` ×${e.count}` : '';
  const reason = e.reason ? `**${escapeMarkdown(e.reason)}** ` : '';
  const when = e.lastSeen ? ` _(last ${escapeMarkdown(e.lastSeen)})_` : '';
  return `- ${e.kind} · ${escapeMarkdown(source)}${field}: ${reason}${escapeMarkdown(e.text)}${count}${when}`;
}

function rootCauseLines(cause: RootCause): string[] {
  const lines = [
    '## Root cause',
    '',
    `**${escapeMarkdown(cause.summary)}**`,
    '',
    escapeMarkdown(cause.explanation),
    '',
    `Confidence ${Math.round(cause.confidence * 100)}% · ${cause.category}${cause.source === 'llm' ? ' · worded by the configured LLM' : ''}${cause.groupId ? ` · group ${escapeMarkdown(cause.groupId)}` : ''}`,
  ];
  if (cause.fields.length > 0) lines.push('', 'Implicated fields:', '', ...cause.fields.map((f) => `- \`${f.replace(/`/g, "'")}\``));
  if (cause.fixes.length > 0) {
    lines.push('', '## Suggested fixes', '');
    for (const fix of cause.fixes) {
      const detail = fix.rollbackToRevision !== undefined
        ? ` (roll back to revision ${fix.rollbackToRevision})`
        : fix.edits?.length ? ` (${fix.edits.map((e) => `\`${e.path.replace(/`/g, "'")}\` → \`${String(e.value).replace(/`/g, "'")}\``).join(', ')})` : '';
      lines.push(`- ${escapeMarkdown(fix.summary)}${detail}`);
    }
  }
  if (cause.hypotheses?.length) lines.push('', 'Other hypotheses (from the LLM, unverified):', '', ...cause.hypotheses.map((h) => `- ${escapeMarkdown(h)}`));
  if (cause.note) lines.push('', `_${escapeMarkdown(cause.note)}_`);
  lines.push('', '### Evidence chain', '', ...cause.evidence.map(evidenceLine), '');
  return lines;
}

export function incidentMarkdown(incident: Incident, analysis: IncidentAnalysis | undefined, now: Date, cause?: RootCause): string {
  const w = incident.workload;
  const evidence = analysis?.confirmed?.evidence ?? incident.evidence;
  const lines = [
    `# ${incident.type}: ${escapeMarkdown(`${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`)}`,
    '',
    `**${incident.severity}** · ${incident.status} · first seen ${age(incident.firstSeen, now)} ago · last seen ${age(incident.lastSeen, now)} ago`,
    '',
    escapeMarkdown(incident.summary),
    '',
    ...(cause ? rootCauseLines(cause) : analysis ? [] : ['## Root cause', '', '_The agent is diagnosing this incident…_', '']),
    '## Evidence',
    '',
    ...evidence.map(evidenceLine),
  ];
  if (analysis) {
    lines.push('', '## Agent trail', '', ...analysis.trail.map((t) => `- ${escapeMarkdown(t)}`));
  }
  lines.push('', `_Incident id: ${incident.id}_`);
  return lines.join('\n');
}
