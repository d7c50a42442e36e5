// The act loop's vocabulary: a Proposal (one concrete change to one object), the Verdict its
// checks reached, the exact write that was verified (a WritePlan, bound by its hash), and the
// ledger entries that record what was applied and undone. Every type here is plain, versioned
// JSON: it is written to disk, crosses the webview boundary and could be a custom resource's
// spec and status (nimbusguard.io/v1alpha1).
import type { IncidentType } from './incident';
import type { ObjectRef } from './resources';
import type { CauseCategory, SpecEdit } from './rootCause';

export const ACT_API_VERSION = 'nimbusguard.io/v1alpha1';

/** low: additive and reversible, no traffic change; medium: starts a rollout; high: routing, admission, capacity lost, cluster-scoped. */
export type RiskTier = 'low' | 'medium' | 'high';

/** What a change does, for ranking and the learned success rates (category × fix kind). */
export type FixKind =
  | 'memory-limit'
  | 'cpu-limit'
  | 'requests'
  | 'image'
  | 'revision-rollback'
  | 'config-reference'
  | 'selector'
  | 'replicas'
  | 'hpa'
  | 'probe'
  | 'template'
  | 'other';

/** A spec change expressed as edits (one strategic merge patch) on the target. */
export interface PatchChange {
  kind: 'patch';
  edits: SpecEdit[];
  /** The strategic merge patch body the edits make (without NimbusGuard's metadata annotations). */
  patch: Record<string, unknown>;
}

/** `kubectl rollout undo --to-revision` semantics: the revision's pod template replaces the current one. */
export interface RollbackToRevisionChange {
  kind: 'rollbackToRevision';
  revision: number;
}

/** Restores the before-image of a recorded change (a rollback is a plan like any other). */
export interface RestoreChange {
  kind: 'restore';
  changeId: string;
  /** Field path → the value to put back; `absent` fields are removed. */
  image: FieldImage;
  /** For a revision rollback: the whole pod template to put back (replaced, not merged). */
  template?: Record<string, unknown>;
}

export type ProposalChange = PatchChange | RollbackToRevisionChange | RestoreChange;

export interface Proposal {
  apiVersion: typeof ACT_API_VERSION;
  kind: 'Proposal';
  /** Stable: a hash of the correlation group, the target's uid and the change. */
  id: string;
  /** The incidents the proposal answers (one correlation group). */
  incidents: string[];
  incidentType: IncidentType | 'Scaling';
  groupId: string;
  category: CauseCategory | 'scaling' | 'rollback';
  fixKind: FixKind;
  /** The object that is written, with its uid. */
  target: ObjectRef;
  change: ProposalChange;
  /** One line: "Raise the memory limit of api to 256Mi". */
  summary: string;
  risk: RiskTier;
  /** Why this tier, in a few words. */
  riskReason: string;
  /** Field paths the write touches (manifest form). */
  fields: string[];
  /** Ranking score (higher first) and the learned success rate that went into it, if any. */
  score: number;
  successRate?: { rate: number; samples: number };
  /** Scaling under the Q-learning policy: the (state, action) its judged outcome rewards. */
  learning?: QLearningStep;
}

/** The Q-learning policy's decision behind a scaling proposal. */
export interface QLearningStep {
  policy: 'qlearning';
  /** The discrete state key (utilization, rate trend, pods buckets). */
  state: string;
  /** The action's name (`up`, `hold`, …). */
  action: string;
  fromReplicas: number;
  toReplicas: number;
}

// ---- verification ------------------------------------------------------------------------------

export const CHECK_NAMES = [
  'permissions',
  'dryRun',
  'ownership',
  'podAdmission',
  'fit',
  'quota',
  'disruption',
  'shadow',
  'replay',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type CheckOutcome = 'pass' | 'fail' | 'inconclusive' | 'skipped';
export type VerdictResult = 'pass' | 'fail' | 'inconclusive';

export interface CheckResult {
  name: CheckName;
  result: CheckOutcome;
  /** One sentence: what was found (or, for skipped, why it did not run). */
  detail: string;
  /** Supporting lines: API warnings, field managers, admission messages, numbers. */
  evidence: string[];
  /** Warnings that do not lower the result (a GitOps owner, an API warning header). */
  warnings: string[];
  durationMs: number;
  /** The shadow check only: what happened to the shadow pod, in order (kept with the verdict). */
  timeline?: ShadowTimelineEntry[];
}

/** One step in a shadow pod's life, as the shadow check saw it. */
export type ShadowStep =
  | 'created'
  | 'failedCreate'
  | 'scheduled'
  | 'started'
  | 'ready'
  | 'notReady'
  | 'terminated'
  | 'oomKilled'
  | 'restarted'
  | 'waiting'
  | 'warning'
  | 'removed';

export interface ShadowTimelineEntry {
  /** ISO time: the server's timestamp when the pod or event carries one, else when it was seen. */
  at: string;
  step: ShadowStep;
  /** One line about the step (container, reason, message); text from the cluster, shown inert. */
  text: string;
  /** What makes the step unique, so a step seen again on the next poll is not repeated. */
  key: string;
}

/** The value of each touched field: `present: false` when the field does not exist. */
export type FieldImage = Record<string, { present: false } | { present: true; value: unknown }>;

/** Exactly what goes to the API server for a change; its hash binds a confirmation to it. */
export interface WritePlan {
  server: string;
  /** A hash of the cluster's CA data (empty when the kubeconfig names none). */
  caHash: string;
  context: string;
  user: string;
  target: ObjectRef & { uid: string; apiVersion: string };
  /** The HTTP verb and resource of the write, as the access review asks for it. */
  access: { verb: 'patch' | 'update'; group: string; resource: string; subresource?: string };
  patchType: 'strategic' | 'json';
  /** The body without NimbusGuard's annotations and the resourceVersion precondition (added at write time). */
  body: unknown;
  /** What must still hold at apply: the generation and the touched fields seen at verification. */
  preconditions: { generation: number; fields: FieldImage };
}

export interface Verdict {
  apiVersion: typeof ACT_API_VERSION;
  kind: 'Verdict';
  proposalId: string;
  planHash: string;
  result: VerdictResult;
  checks: CheckResult[];
  verifiedAt: string;
  plan: WritePlan;
  /** The touched fields now, and as the server's dry-run says they will be. */
  before: FieldImage;
  after: FieldImage;
  /** The live object and the dry-run result with managedFields/status stripped, for the diff view. */
  liveObject?: Record<string, unknown>;
  dryRunObject?: Record<string, unknown>;
}

/** Emitted while verifying: once when a check starts and once when it ends. */
export type VerifyProgress =
  | { proposalId: string; check: CheckName; phase: 'started' }
  | { proposalId: string; check: CheckName; phase: 'finished'; result: CheckResult }
  /** While the shadow check runs: the shadow pod's timeline so far, sent whenever it grows. */
  | { proposalId: string; check: 'shadow'; phase: 'timeline'; timeline: ShadowTimelineEntry[] };

/** The resume value of the approve node: names the proposal and the exact plan that was shown. */
export interface ApprovalDecision {
  proposalId: string;
  planHash: string;
  decision: 'approve' | 'reject';
  /** Who confirmed (OS user, or the VS Code account when known). */
  who?: string;
  /** Typed by the user for protected contexts and high risk (CLI: --confirm-context). */
  confirmContext?: string;
  confirmRisk?: RiskTier;
  /** How long the evaluate step watches the outcome after the write is accepted (0: not at all). */
  waitSeconds?: number;
}

// ---- outcomes and the ledger -------------------------------------------------------------------

export type OutcomeResult = 'resolved' | 'unresolved' | 'regressed' | 'inconclusive';
export type RollbackOutcomeResult = 'restored' | 'not-restored';

export interface Outcome {
  result: OutcomeResult | RollbackOutcomeResult;
  detail: string;
  rollout: 'complete' | 'failed' | 'unfinished' | 'none';
  /** Another rollout, an HPA action, … seen in the window. */
  confounders: string[];
  /** Incidents on the target that opened after the write and stayed open. */
  newIncidents: string[];
  judgedAt: string;
  /** From the accepted write to the judgement. */
  elapsedMs: number;
  /** For a Q-learning scaling proposal: the update its reward made to the policy's table. */
  learned?: {
    state: string;
    action: string;
    reward: number;
    next: string;
    before: number;
    after: number;
    observed: boolean;
  };
}

export const LEDGER_VERSION = 1;

interface LedgerBase {
  v: typeof LEDGER_VERSION;
  changeId: string;
  at: string;
}

/** Written before the cluster write: the plan and the exact before-image. */
export interface IntentEntry extends LedgerBase {
  type: 'intent';
  who: string;
  context: string;
  server: string;
  proposal: Proposal;
  verdict: {
    result: VerdictResult;
    planHash: string;
    verifiedAt: string;
    checks: { name: CheckName; result: CheckOutcome; detail: string }[];
  };
  plan: WritePlan;
  before: FieldImage;
  /** The whole pod template before a template replace (revision rollbacks), masked. */
  beforeTemplate?: Record<string, unknown>;
  /** Set when this change restores another one. */
  rollbackOf?: string;
}

export interface AppliedEntry extends LedgerBase {
  type: 'applied';
  after: FieldImage;
  afterTemplate?: Record<string, unknown>;
  generation: number;
  resourceVersion: string;
  /** "cluster only" until the manifest in the workspace matches. */
  manifest: 'cluster-only' | 'matches';
}

export interface FailedEntry extends LedgerBase {
  type: 'failed';
  error: string;
  /** Found by the start-up reconciliation rather than reported by the write. */
  reconciled?: boolean;
}

export interface OutcomeEntry extends LedgerBase {
  type: 'outcome';
  outcome: Outcome;
}

export interface RolledBackEntry extends LedgerBase {
  type: 'rolledBack';
  /** The change that restored this one. */
  by: string;
}

/** Whether the workspace manifest holds the change now (found by the editor), or no longer does. */
export interface ManifestEntry extends LedgerBase {
  type: 'manifest';
  manifest: 'cluster-only' | 'matches';
  /** The manifest file that was compared, when one was. */
  file?: string;
}

export interface RejectedEntry extends LedgerBase {
  type: 'rejected';
  proposalId: string;
  who: string;
}

export type LedgerEntry =
  IntentEntry | AppliedEntry | FailedEntry | OutcomeEntry | RolledBackEntry | RejectedEntry | ManifestEntry;

export type ChangeStatus = 'pending' | 'applied' | 'failed' | 'rolled-back';

/** One change as the history shows it: the ledger's entries for one change id, folded. */
export interface ChangeRecord {
  id: string;
  status: ChangeStatus;
  at: string;
  who: string;
  context: string;
  server: string;
  proposal: Proposal;
  verdict: IntentEntry['verdict'];
  plan: WritePlan;
  before: FieldImage;
  after?: FieldImage;
  beforeTemplate?: Record<string, unknown>;
  afterTemplate?: Record<string, unknown>;
  error?: string;
  outcome?: Outcome;
  rolledBackBy?: string;
  rollbackOf?: string;
  manifest?: AppliedEntry['manifest'];
}

export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const CHANGE_ID_ANNOTATION = 'nimbusguard.dev/change-id';
export const FIELD_MANAGER = 'nimbusguard';
