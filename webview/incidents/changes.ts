// The Incidents panel's "Applied changes" tab: the act loop's ledger of the context, with outcome and
// a Rollback button per applied change, and the two tabs' switching (arrow keys move between tabs).
// Text only: every value from the ledger is written with textContent.
import type { ChangeRow } from '../../src/ui/incidentsPanel/protocol';

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

export function renderChanges(rows: readonly ChangeRow[], rollback: (changeId: string) => void): void {
  element('changes-empty').hidden = rows.length > 0;
  element('changes-table').hidden = rows.length === 0;
  element('changes-rows').replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      tr.dataset['change'] = r.id;
      const actions = document.createElement('td');
      if (r.canRollback) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary';
        button.textContent = 'Rollback…';
        button.setAttribute('aria-label', `Roll back: ${r.summary}`);
        button.addEventListener('click', () => rollback(r.id));
        actions.append(button);
      }
      tr.append(
        cell(r.summary),
        cell(r.target),
        cell(r.status),
        cell(r.outcome ?? '—'),
        cell(new Date(r.at).toLocaleString()),
        actions,
      );
      return tr;
    }),
  );
}

/** Wires the two tabs: the incidents view (toolbar and split) and the Applied changes view. */
export function setUpTabs(): void {
  const tabs = [element<HTMLButtonElement>('tab-incidents'), element<HTMLButtonElement>('tab-changes')];
  const select = (index: number) => {
    tabs.forEach((tab, i) => {
      tab.setAttribute('aria-selected', String(i === index));
      tab.tabIndex = i === index ? 0 : -1;
    });
    const changes = index === 1;
    element('changes-view').hidden = !changes;
    element('incidents-view').hidden = changes;
    for (const toolbar of document.querySelectorAll<HTMLElement>('.toolbar')) toolbar.hidden = changes;
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => select(i));
    tab.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const next = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
      select(next);
      tabs[next]!.focus();
    });
  });
}
