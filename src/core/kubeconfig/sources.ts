// Which kubeconfig files apply, in kubectl's order: an explicit setting, else every path in
// $KUBECONFIG (merged), else ~/.kube/config.
export type KubeconfigOrigin = 'setting' | 'env' | 'default';

export interface KubeconfigSources {
  origin: KubeconfigOrigin;
  paths: string[];
}

export interface SourceInputs {
  setting?: string | undefined;
  envValue?: string | undefined;
  home?: string | undefined;
  pathDelimiter: string;
  pathSeparator?: string;
}

export function expandHome(path: string, home: string | undefined): string {
  if (!home) return path;
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return home + path.slice(1);
  return path;
}

export function resolveKubeconfigSources(inputs: SourceInputs): KubeconfigSources {
  const setting = inputs.setting?.trim();
  if (setting) return { origin: 'setting', paths: [expandHome(setting, inputs.home)] };
  const env = inputs.envValue ?? '';
  const fromEnv = env
    .split(inputs.pathDelimiter)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => expandHome(p, inputs.home));
  if (fromEnv.length > 0) return { origin: 'env', paths: [...new Set(fromEnv)] };
  const sep = inputs.pathSeparator ?? '/';
  const home = inputs.home ?? '';
  return { origin: 'default', paths: [`${home}${sep}.kube${sep}config`] };
}
