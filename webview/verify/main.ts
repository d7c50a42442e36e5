// The Verification panel in the browser: draws the proposal, its checks as they run, the verdict and
// the change it became, from the state the host sends. Buttons send ids only; every text from the
// cluster goes in through textContent, so it stays inert.
import { dispatch, on } from '../../src/ui/webview/ipc';
import {
  ApplyMessage,
  CloseMessage,
  MissingMessage,
  OpenDiffMessage,
  ReadyMessage,
  RejectMessage,
  ReverifyMessage,
  RollbackMessage,
  StateMessage,
  type CheckView,
  type TimelineRow,
  type VerifyPanelState,
  type VerifySavedState,
} from '../../src/ui/verifyPanel/protocol';
import { acquireVsCodeApi } from '../shared/vscodeApi';

const vscode = acquireVsCodeApi<VerifySavedState>();
const app = document.getElementById('app')!;

const RESULT_ICON: Record<CheckView['status'], string> = {
  waiting: '○',
  running: '◌',
  pass: '✓',
  fail: '✗',
  inconclusive: '?',
  skipped: '–',
};
const PHASE_TEXT: Record<VerifyPanelState['phase'], string> = {
  ready: 'Ready to verify',
  verifying: 'Verifying…',
  verified: 'Verified',
  interrupted: 'Verification interrupted',
  confirming: 'Waiting for your confirmation',
  applying: 'Applying…',
  applied: 'Applied',
  rejected: 'Rejected',
  'not-applied': 'Not applied',
  missing: 'Not available',
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { text?: string; className?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.text !== undefined) node.textContent = props.text;
  if (props.className) node.className = props.className;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function button(label: string, id: string, onClick: () => void, primary = false): HTMLButtonElement {
  const b = el('button', { text: label, className: primary ? 'primary' : 'secondary', attrs: { id, type: 'button' } });
  b.addEventListener('click', onClick);
  return b;
}

function checkRow(c: CheckView): HTMLElement {
  const head = el(
    'div',
    { className: 'check-head' },
    el('span', { text: RESULT_ICON[c.status], className: `icon ${c.status}`, attrs: { 'aria-hidden': 'true' } }),
    el('span', { text: c.name, className: 'check-name' }),
    el('span', { text: c.status, className: `badge ${c.status}` }),
    el('span', { text: c.durationMs !== undefined ? `${c.durationMs} ms` : '', className: 'time' }),
  );
  const row = el(
    'li',
    {
      className: `check ${c.status}`,
      attrs: { 'data-check': c.name, 'aria-label': `${c.name}: ${c.status}. ${c.detail}` },
    },
    head,
    el('div', { text: c.detail, className: 'detail' }),
  );
  if (c.timeline && c.timeline.length > 0) row.append(timeline(c.timeline, c.status === 'running'));
  const lines = [...c.warnings.map((w) => `warning: ${w}`), ...c.evidence];
  if (lines.length > 0) row.append(el('ul', { className: 'evidence' }, ...lines.map((l) => el('li', { text: l }))));
  return row;
}

/** The shadow pod's timeline: one row per step, its time since the pod was created, warnings marked. */
function timeline(rows: readonly TimelineRow[], live: boolean): HTMLElement {
  return el(
    'div',
    { className: 'timeline' },
    el('h3', { text: live ? 'Shadow pod (live)' : 'Shadow pod' }),
    el(
      'ol',
      {
        attrs: {
          id: 'shadow-timeline',
          'aria-label': 'Shadow pod timeline',
          ...(live ? { 'aria-live': 'polite' } : {}),
        },
      },
      ...rows.map((r) =>
        el(
          'li',
          {
            className: `step ${r.step}${r.bad ? ' bad' : ''}`,
            attrs: { 'data-step': r.step, title: new Date(r.at).toLocaleString() },
          },
          el('span', { text: r.offset, className: 'offset' }),
          el('span', { text: r.step, className: 'step-name' }),
          el('span', { text: r.text, className: 'step-text' }),
        ),
      ),
    ),
  );
}

function render(state: VerifyPanelState): void {
  vscode.setState({
    proposalId: state.proposal.id,
    ...(state.proposal.rollbackOf ? { rollbackOf: state.proposal.rollbackOf } : {}),
    ...(state.change ? { changeId: state.change.id } : {}),
  });
  const p = state.proposal;
  const t = p.target;
  const parts: Node[] = [
    el('h1', { text: p.summary }),
    el('p', {
      className: 'subtitle',
      text: `${t.kind} ${t.namespace}/${t.name} · context ${state.context} · ${p.incidentType} · risk ${p.risk} (${p.riskReason})`,
    }),
    el('p', {
      className: `phase ${state.phase}`,
      text: PHASE_TEXT[state.phase],
      attrs: { id: 'phase', role: 'status' },
    }),
  ];
  if (state.message) parts.push(el('p', { className: 'message', text: state.message, attrs: { id: 'message' } }));

  const diff = el(
    'table',
    { className: 'diff', attrs: { id: 'diff', 'aria-label': 'The change, field by field' } },
    el('thead', {}, el('tr', {}, el('th', { text: 'Field' }), el('th', { text: 'Now' }), el('th', { text: 'After' }))),
    el(
      'tbody',
      {},
      ...state.diff.map((d) =>
        el(
          'tr',
          {},
          el('td', { text: d.path, className: 'path' }),
          el('td', { text: d.before, className: 'before' }),
          el('td', { text: d.after, className: 'after' }),
        ),
      ),
    ),
  );
  const diffSection = el('section', { attrs: { 'aria-label': 'Change' } }, el('h2', { text: 'Change' }), diff);
  if (state.verdict?.hasDiff)
    diffSection.append(
      button('Open Diff: live ↔ dry run', 'open-diff', () =>
        vscode.postMessage(OpenDiffMessage.create({ proposalId: p.id })),
      ),
    );
  parts.push(diffSection);

  if (state.checks.length > 0)
    parts.push(
      el(
        'section',
        { attrs: { 'aria-label': 'Checks' } },
        el('h2', { text: 'Checks' }),
        el('ul', { className: 'checks', attrs: { id: 'checks' } }, ...state.checks.map(checkRow)),
      ),
    );

  const v = state.verdict;
  if (v) {
    const verdict = el(
      'section',
      { className: `verdict ${v.result}`, attrs: { id: 'verdict', 'aria-label': 'Verdict' } },
      el('h2', { text: `Verdict: ${v.result}` }),
      el('p', {
        className: 'subtitle',
        text: `verified ${new Date(v.verifiedAt).toLocaleTimeString()} · plan ${v.planHash.slice(0, 12)}`,
      }),
    );
    if (v.result === 'inconclusive' && v.unknown.length > 0)
      verdict.append(el('p', { text: 'Not known:' }), el('ul', {}, ...v.unknown.map((u) => el('li', { text: u }))));
    if (v.reasons.length > 0)
      verdict.append(el('ul', { className: 'reasons' }, ...v.reasons.map((r) => el('li', { text: r }))));
    const actions = el('div', { className: 'actions' });
    const decision = { proposalId: p.id, planHash: v.planHash };
    if (v.canApply)
      actions.append(
        button(
          p.rollbackOf ? 'Roll Back…' : 'Apply…',
          'apply',
          () => vscode.postMessage(ApplyMessage.create(decision)),
          true,
        ),
      );
    if (state.phase === 'verified')
      actions.append(button('Reject', 'reject', () => vscode.postMessage(RejectMessage.create(decision))));
    if (actions.childElementCount > 0) verdict.append(actions);
    parts.push(verdict);
  }

  const c = state.change;
  if (c) {
    const change = el(
      'section',
      { className: 'change', attrs: { id: 'change', 'aria-label': 'Applied change' } },
      el('h2', { text: `Change ${c.id}` }),
      el('p', {
        text: `status: ${c.status}${c.outcome ? ` · outcome: ${c.outcome.result} (rollout ${c.outcome.rollout})` : state.phase === 'applying' ? ' · following the rollout…' : ''}`,
        attrs: { id: 'outcome' },
      }),
    );
    if (c.outcome) change.append(el('p', { className: 'detail', text: c.outcome.detail }));
    if (c.canRollback && !p.rollbackOf)
      change.append(
        button('Rollback…', 'rollback', () => vscode.postMessage(RollbackMessage.create({ changeId: c.id }))),
      );
    parts.push(change);
  }

  const footer = el('div', { className: 'actions' });
  if (
    state.phase === 'interrupted' ||
    state.phase === 'rejected' ||
    state.phase === 'not-applied' ||
    (state.phase === 'verified' && v?.result !== 'pass')
  ) {
    footer.append(
      button(
        'Re-verify',
        'reverify',
        () => vscode.postMessage(ReverifyMessage.create({ proposalId: p.id })),
        state.phase === 'interrupted',
      ),
    );
  }
  footer.append(button('Close', 'close', () => vscode.postMessage(CloseMessage.create())));
  parts.push(footer);
  app.replaceChildren(...parts);
}

function missing(message: string): void {
  app.replaceChildren(
    el('p', { text: message, attrs: { role: 'status' } }),
    button('Close', 'close', () => vscode.postMessage(CloseMessage.create())),
  );
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  dispatch(event.data, [on(StateMessage, render), on(MissingMessage, ({ message }) => missing(message))]);
});
vscode.postMessage(ReadyMessage.create());
