// The incident table: a keyboard-navigable treegrid that only puts the rows in view into the DOM, so a
// thousand incidents scroll and filter as fast as ten. Every cell is written with textContent: names,
// summaries and causes from the cluster are data, never markup.
import { age } from '../../src/core/model/age';
import type { DisplayRow } from './incidentList';

export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

export interface TableEvents {
  /** The user chose an incident row (click, Enter or Space). */
  select(id: string): void;
  /** The user opened or closed a group row. */
  toggle(groupId: string, expand: boolean): void;
}

interface RowElement {
  el: HTMLDivElement;
  cells: HTMLDivElement[];
  /** What the element shows now: a row whose content, position and marks are the same is not written again. */
  shown: string;
}

const COLUMNS = ['severity', 'type', 'workload', 'namespace', 'age', 'cause'] as const;

export class IncidentTable {
  private display: DisplayRow[] = [];
  private pool: RowElement[] = [];
  private active = -1;
  private selectedId: string | undefined;
  private now = new Date();
  private frame = 0;
  // The viewport's geometry, kept from scroll and resize events: reading it while drawing would force
  // the browser to lay the page out again in the middle of the DOM writes (a layout thrash).
  private scrollTop = 0;
  private height = 0;
  private spacerHeight = -1;

  constructor(
    private readonly grid: HTMLElement,
    private readonly viewport: HTMLElement,
    private readonly spacer: HTMLElement,
    private readonly events: TableEvents,
  ) {
    this.height = viewport.clientHeight;
    viewport.addEventListener(
      'scroll',
      () => {
        this.scrollTop = viewport.scrollTop;
        this.requestRender();
      },
      { passive: true },
    );
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box || box.height === this.height) return;
      this.height = box.height;
      this.requestRender();
    }).observe(viewport);
    grid.addEventListener('keydown', (e) => this.onKey(e));
    viewport.addEventListener('click', (e) => {
      const el = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
      if (!el) return;
      this.setActive(Number(el.dataset['index']), false);
      this.activate();
      grid.focus({ preventScroll: true });
    });
  }

  get rows(): readonly DisplayRow[] {
    return this.display;
  }

  /**
   * New rows (after a filter or a live update), drawn once: the scroll position and the selection stay,
   * and only the rows in view whose content changed are written.
   */
  setRows(display: DisplayRow[], now: Date, activeIndex: number, selectedId: string | undefined): void {
    this.display = display;
    this.now = now;
    this.selectedId = selectedId;
    this.active = Math.min(activeIndex, display.length - 1);
    const height = display.length * ROW_HEIGHT;
    if (height !== this.spacerHeight) {
      this.spacerHeight = height;
      this.spacer.style.height = `${height}px`;
      this.grid.setAttribute('aria-rowcount', String(display.length + 1));
      // A shorter list scrolls the viewport up by itself: follow it without reading the layout.
      const viewHeight = this.height || 600;
      this.scrollTop = Math.max(0, Math.min(this.scrollTop, height - viewHeight));
    }
    this.render();
  }

  setSelected(id: string | undefined): void {
    this.selectedId = id;
    this.render();
  }

  get activeIndex(): number {
    return this.active;
  }

  /** Moves the keyboard cursor to a row and scrolls it into view. */
  setActive(index: number, scroll = true): void {
    if (this.display.length === 0) {
      this.active = -1;
      this.render();
      return;
    }
    this.active = Math.max(0, Math.min(index, this.display.length - 1));
    if (scroll) this.scrollIntoView(this.active);
    this.render();
  }

  private scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const height = this.height || this.viewport.clientHeight;
    let next = this.scrollTop;
    if (top < next) next = top;
    else if (top + ROW_HEIGHT > next + height) next = top + ROW_HEIGHT - height;
    if (next === this.scrollTop) return;
    this.scrollTop = next;
    this.viewport.scrollTop = next;
  }

  private requestRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private activate(): void {
    const d = this.display[this.active];
    if (!d) return;
    if (d.kind === 'group') this.events.toggle(d.groupId, !d.expanded);
    else this.events.select(d.row.id);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.grid) return;
    const page = Math.max(1, Math.floor((this.height || this.viewport.clientHeight) / ROW_HEIGHT) - 1);
    const d = this.display[this.active];
    const moves: Record<string, () => void> = {
      ArrowDown: () => this.setActive(this.active + 1),
      ArrowUp: () => this.setActive(this.active < 0 ? 0 : this.active - 1),
      PageDown: () => this.setActive(this.active + page),
      PageUp: () => this.setActive(this.active - page),
      Home: () => this.setActive(0),
      End: () => this.setActive(this.display.length - 1),
      Enter: () => this.activate(),
      ' ': () => this.activate(),
      ArrowRight: () => {
        if (d?.kind === 'group' && !d.expanded) this.events.toggle(d.groupId, true);
      },
      ArrowLeft: () => {
        if (d?.kind === 'group' && d.expanded) this.events.toggle(d.groupId, false);
        else if (d?.kind === 'incident' && d.level === 2) {
          for (let i = this.active - 1; i >= 0; i--) if (this.display[i]!.kind === 'group') return this.setActive(i);
        }
      },
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    move();
  }

  private rowElement(): RowElement {
    const el = document.createElement('div');
    el.className = 'row';
    el.setAttribute('role', 'row');
    const cells: HTMLDivElement[] = [];
    for (const column of COLUMNS) {
      const cell = document.createElement('div');
      cell.className = `cell col-${column}`;
      cell.setAttribute('role', 'gridcell');
      el.append(cell);
      cells.push(cell);
    }
    return { el, cells, shown: '' };
  }

  /** Draws the rows in view (and a few around them), reusing row elements; reads no layout. */
  render(): void {
    const total = this.display.length;
    const height = this.height || 600;
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(total, Math.ceil((this.scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
    const count = Math.max(0, last - first);
    while (this.pool.length < count) {
      const r = this.rowElement();
      this.pool.push(r);
      this.viewport.append(r.el);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const r = this.pool[i]!;
      if (i >= count) {
        if (r.shown === '') continue;
        r.el.hidden = true;
        r.el.removeAttribute('id');
        r.shown = '';
        continue;
      }
      const index = first + i;
      const shown = this.signature(index);
      if (shown === r.shown) continue;
      r.el.hidden = false;
      r.shown = shown;
      this.fill(r, index);
    }
    const activeRow = this.active >= 0 && this.active >= first && this.active < last ? `row-${this.active}` : undefined;
    if (activeRow) this.grid.setAttribute('aria-activedescendant', activeRow);
    else this.grid.removeAttribute('aria-activedescendant');
  }

  /** Everything a row element shows for a display row: equal signatures draw the same. */
  private signature(index: number): string {
    const d = this.display[index]!;
    const row = d.kind === 'group' ? d.lead : d.row;
    const selected = d.kind === 'incident' && d.row.id === this.selectedId;
    const when = d.kind === 'group' ? oldest(d.members) : row.firstSeen;
    const head =
      d.kind === 'group'
        ? `g\u0000${d.groupId}\u0000${d.expanded}\u0000${d.members.map((m) => `${m.id}:${m.status}`).join(',')}`
        : `i\u0000${row.id}\u0000${d.level}\u0000${row.status}`;
    return `${head}\u0000${index}\u0000${row.severity}\u0000${row.type}\u0000${row.cause ?? row.summary}\u0000${age(when, this.now)}\u0000${selected}\u0000${index === this.active}`;
  }

  private fill(r: RowElement, index: number): void {
    const d = this.display[index]!;
    const { el, cells } = r;
    el.id = `row-${index}`;
    el.dataset['index'] = String(index);
    el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    el.setAttribute('aria-rowindex', String(index + 2));
    const row = d.kind === 'group' ? d.lead : d.row;
    const selected = d.kind === 'incident' && d.row.id === this.selectedId;
    el.className = `row sev-${row.severity}${d.kind === 'group' ? ' group' : ''}${d.kind === 'incident' && d.level === 2 ? ' member' : ''}${row.status === 'resolved' && d.kind === 'incident' ? ' resolved' : ''}${selected ? ' selected' : ''}${index === this.active ? ' active' : ''}`;
    el.setAttribute('aria-selected', String(selected));
    el.setAttribute('aria-level', String(d.kind === 'incident' ? d.level : 1));
    if (d.kind === 'group') el.setAttribute('aria-expanded', String(d.expanded));
    else el.removeAttribute('aria-expanded');
    const w = row.workload;
    if (d.kind === 'group') {
      const open = d.members.filter((m) => m.status === 'open').length;
      cells[0]!.textContent = `${d.expanded ? '▾' : '▸'} ${row.severity}`;
      cells[1]!.textContent = `${d.members.length} correlated incidents`;
      cells[2]!.textContent = `${w.name} · ${w.kind}`;
      cells[3]!.textContent = w.namespace;
      cells[4]!.textContent = age(oldest(d.members), this.now);
      cells[5]!.textContent = `${row.cause ?? row.summary}${open < d.members.length ? ` (${d.members.length - open} resolved)` : ''}`;
      cells[5]!.title = cells[5]!.textContent;
      el.setAttribute(
        'aria-label',
        `Group of ${d.members.length} correlated incidents, led by ${row.type} on ${w.kind} ${w.namespace}/${w.name}`,
      );
      return;
    }
    el.removeAttribute('aria-label');
    cells[0]!.textContent = row.severity;
    cells[1]!.textContent = row.status === 'resolved' ? `${row.type} (resolved)` : row.type;
    cells[2]!.textContent = `${w.name} · ${w.kind}`;
    cells[2]!.title = `${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
    cells[3]!.textContent = w.namespace;
    cells[4]!.textContent = age(row.firstSeen, this.now);
    cells[5]!.textContent = row.cause ?? row.summary;
    cells[5]!.title = row.cause ?? row.summary;
  }
}

function oldest(rows: readonly { firstSeen: string }[]): string {
  return rows.reduce((a, r) => (r.firstSeen < a ? r.firstSeen : a), rows[0]!.firstSeen);
}
