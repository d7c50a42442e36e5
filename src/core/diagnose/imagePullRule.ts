// Image pull failures: an unreachable registry host, a tag that does not exist, or credentials the
// registry refuses. The pull error text (status message and Failed events) decides which.
import type { SpecEdit, SuggestedFix } from '../model/rootCause';
import { clip } from '../detect/support';
import type { DiagnoseContext, DiagnosisRule } from './rule';
import { diagnosis, incidentContainer, podsOf, q, revisionsOf, templateOf, type Diagnosis } from './ruleSupport';

export interface ImageRef {
  host: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits "registry.example.com:5000/shop/api:1.2@sha256:…" the way the container runtime does. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  let path = hasHost ? rest.slice(slash + 1) : rest;
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon > path.lastIndexOf('/')) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (!hasHost && !path.includes('/')) path = `library/${path}`;
  return {
    host,
    repository: path,
    ...(tag !== undefined ? { tag } : digest === undefined ? { tag: 'latest' } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

export type PullProblem = 'host' | 'tag' | 'auth' | 'name' | 'unknown';

/** Classifies a pull error text; fixed patterns only, on bounded text. */
export function pullProblem(text: string, host: string, reason: string): PullProblem {
  const t = text.slice(0, 4000).toLowerCase();
  if (reason === 'InvalidImageName' || t.includes('invalid reference format')) return 'name';
  if (
    host.endsWith('.invalid') ||
    /no such host|server misbehaving|i\/o timeout|connection refused|network is unreachable|dial tcp|tls handshake timeout/.test(
      t,
    )
  )
    return 'host';
  if (
    /\b401\b|\b403\b|unauthorized|authentication required|forbidden|insufficient_scope|access denied|denied: /.test(t)
  )
    return 'auth';
  if (/not found|manifest unknown|does not exist|notfound|failed to resolve reference/.test(t)) return 'tag';
  return 'unknown';
}

function diagnoseImagePull(ctx: DiagnoseContext): Diagnosis | undefined {
  const { snapshot, incident } = ctx;
  const at = templateOf(snapshot, incident.workload);
  const c = incidentContainer(ctx, at);
  const pods = podsOf(snapshot, incident.workload);
  const name = c?.spec.name ?? incident.key ?? '';
  const status = pods
    .flatMap((p) => [...p.containerStatuses, ...p.initContainerStatuses])
    .find((s) => s.name === name && s.state.waiting);
  const image = c?.spec.image ?? status?.image ?? '';
  const ref = parseImage(image);
  const reason = status?.state.waiting?.reason ?? '';
  const texts = [status?.state.waiting?.message ?? '', ...incident.evidence.map((e) => e.text)].join('\n');
  const problem = pullProblem(texts, ref.host, reason);
  const imagePath = c ? `${c.path}.image` : undefined;
  const secretsPath = `${at?.prefix ?? 'spec.template.spec'}.imagePullSecrets`;
  const secrets = at?.template.imagePullSecrets ?? [];

  // The image of the newest older revision, when it differs: the one that last pulled fine.
  const older = revisionsOf(snapshot, incident.workload).slice(1);
  const previousImage = older
    .map((rs) => rs.template.containers.find((x) => x.name === name)?.image)
    .find((img) => img !== undefined && img !== image);
  const revert: SuggestedFix | undefined =
    imagePath && previousImage
      ? {
          summary: `Use the image of the previous revision, ${q(previousImage, 160)}`,
          edits: [{ path: imagePath, value: previousImage, previous: image } satisfies SpecEdit],
        }
      : undefined;
  const version = ref.digest ? `digest ${q(ref.digest, 80)}` : `tag ${q(ref.tag, 80)}`;
  let summary: string;
  let explanation: string;
  let confidence: number;
  let fields: string[] = imagePath ? [imagePath] : [];
  let fixes: (SuggestedFix | undefined)[];
  let category: Diagnosis['category'] = 'image-pull';
  switch (problem) {
    case 'host':
      summary = `registry host ${q(ref.host)} cannot be reached for image ${q(image, 160)}`;
      explanation = `The node cannot resolve or connect to ${q(ref.host)}${ref.host.endsWith('.invalid') ? ' (".invalid" names never resolve)' : ''}. The registry host in the image name is wrong, or the nodes have no route to it.`;
      confidence = 0.85;
      fixes = [
        revert,
        { summary: `Correct the registry host in the image of ${q(name)}, or let the nodes reach ${q(ref.host)}` },
      ];
      break;
    case 'tag':
      summary = `${version} does not exist in ${q(ref.host)}/${q(ref.repository, 120)}`;
      explanation = `The registry answered but has no ${version} for ${q(ref.repository, 120)}. The tag is mistyped or was never pushed.`;
      confidence = 0.85;
      fixes = [
        revert,
        { summary: `Push ${q(ref.repository, 120)}:${q(ref.tag ?? ref.digest, 80)} or correct the tag of ${q(name)}` },
      ];
      break;
    case 'auth':
      summary = `registry ${q(ref.host)} refuses to serve ${q(ref.repository, 120)}: ${secrets.length > 0 ? `pull secret ${q(secrets.join(', '), 120)} is not accepted` : 'no imagePullSecrets are set'}`;
      explanation = `The pull was rejected as unauthorized. ${secrets.length > 0 ? 'The referenced pull secret is missing, in another namespace, or holds credentials without access to this repository.' : 'A private repository needs a docker-registry Secret listed under imagePullSecrets (or on the service account).'}`;
      confidence = secrets.length > 0 ? 0.75 : 0.8;
      fields = [secretsPath, ...fields];
      fixes = [
        {
          summary:
            secrets.length > 0
              ? `Check that Secret ${q(secrets[0])} exists in ${q(incident.workload.namespace)} and grants access to ${q(ref.host)}`
              : `Create a docker-registry Secret for ${q(ref.host)} and list it under ${secretsPath}`,
        },
        revert,
      ];
      break;
    case 'name':
      summary = `image name ${q(image, 160)} is not a valid reference`;
      explanation =
        'The runtime cannot parse the image reference: check for spaces, upper-case letters in the repository, or a stray character.';
      confidence = 0.9;
      fixes = [revert, { summary: `Correct the image name of ${q(name)}` }];
      break;
    default:
      summary = `image ${q(image, 160)} cannot be pulled${reason ? ` (${q(reason, 40)})` : ''}`;
      explanation = `The pull fails and the error does not say why clearly: ${q(texts, 300)}`;
      confidence = 0.45;
      category = 'image-pull';
      fixes = [
        revert,
        {
          summary: `Try pulling ${q(image, 160)} from a machine with the same credentials to see the registry's answer`,
        },
      ];
  }
  return diagnosis({
    category,
    summary,
    explanation,
    confidence,
    fields,
    evidence: [
      imagePath
        ? {
            kind: 'spec',
            source: incident.workload,
            field: imagePath,
            text: clip(
              `image ${image} (host ${ref.host}, repository ${ref.repository}, ${ref.digest ? `digest ${ref.digest}` : `tag ${ref.tag}`})`,
            ),
          }
        : undefined,
      problem === 'auth'
        ? {
            kind: 'spec',
            source: incident.workload,
            field: secretsPath,
            text: secrets.length > 0 ? clip(`imagePullSecrets: ${secrets.join(', ')}`) : 'no imagePullSecrets',
          }
        : undefined,
      ...incident.evidence.filter((e) => e.kind === 'event' || e.kind === 'status'),
    ],
    fixes,
  });
}

export const imagePullRule: DiagnosisRule = {
  types: ['ImagePullBackOff'],
  diagnose: diagnoseImagePull,
};
