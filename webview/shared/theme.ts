// Colours for the chart from the VS Code theme: the webview gets every theme colour as a CSS
// variable on <html>; the data's own colours stay as the fallback when a variable is missing.

export interface ChartTheme {
  demand?: string;
  forecast?: string;
  band?: string;
  ready?: string;
  proposal?: string;
  text?: string;
  grid?: string;
  font?: string;
}

function cssVar(style: CSSStyleDeclaration, name: string): string | undefined {
  const value = style.getPropertyValue(name).trim();
  return value.length > 0 ? value : undefined;
}

/** The colour with the given opacity, or undefined when the colour is not a hex or rgb() colour. */
export function withAlpha(color: string | undefined, alpha: number): string | undefined {
  if (!color) return undefined;
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color);
  if (hex) {
    let digits = hex[1]!;
    if (digits.length <= 4) digits = [...digits].map((d) => d + d).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(color);
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})` : undefined;
}

export function readTheme(root: Element = document.documentElement): ChartTheme {
  const style = getComputedStyle(root);
  const forecast = cssVar(style, '--vscode-charts-purple');
  return {
    demand: cssVar(style, '--vscode-charts-blue'),
    forecast,
    band: withAlpha(forecast, 0.18),
    ready: cssVar(style, '--vscode-charts-green'),
    proposal: cssVar(style, '--vscode-charts-orange'),
    text: cssVar(style, '--vscode-charts-foreground') ?? cssVar(style, '--vscode-foreground'),
    grid: cssVar(style, '--vscode-charts-lines') ?? cssVar(style, '--vscode-widget-border'),
    font: cssVar(style, '--vscode-font-family'),
  };
}

/** Calls back when VS Code switches the colour theme (it changes the body's class and style). */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(callback);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  return () => observer.disconnect();
}
