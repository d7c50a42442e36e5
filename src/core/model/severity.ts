// How bad an incident is, and how every view shows it: the order (most severe first), the rank to
// compare by, and the codicon and theme colour the tree, the quick picks and the panels draw.

/** Most severe first. */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Sort order: most severe first. */
export function bySeverity(a: { severity: Severity }, b: { severity: Severity }): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity];
}

export interface SeverityStyle {
  /** Codicon id ("error"), drawn as $(error) in labels or as a ThemeIcon. */
  icon: string;
  /** Theme colour id for the icon. */
  color: string;
}

export const SEVERITY_STYLE: Record<Severity, SeverityStyle> = {
  critical: { icon: 'error', color: 'list.errorForeground' },
  warning: { icon: 'warning', color: 'list.warningForeground' },
  info: { icon: 'info', color: 'foreground' },
};

/** The icon inside a label or quick pick item: "$(error)". */
export function severityLabelIcon(severity: Severity): string {
  return `$(${SEVERITY_STYLE[severity].icon})`;
}
