// Cluster text made safe for Markdown hovers, status bar items and quick picks: names and messages
// are data, never markup, icons or command links.

export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Breaks `$(icon)` syntax in cluster text shown in status bar items and quick picks. */
export function noIcons(text: string): string {
  return text.replace(/\$\(/g, '$\u200b(');
}
