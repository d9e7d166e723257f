// The desktop's state at a moment of the script: what the painter needs, as plain data.
import type { MailItem } from "./content.ts";
import type { Size, WindowId } from "./layout.ts";
import { sizeAt, type DemoScript, type Selection } from "./script.ts";

export interface TerminalState {
  /** The last lines of the terminal, oldest first; `current` is the line being typed. */
  lines: readonly string[];
  current: string;
  /** Number of terminal operations applied: changes whenever the terminal does. */
  version: number;
}

export interface SceneState {
  size: Size;
  clock: { time: string; date: string };
  /** Bottom first; the last window has the focus. */
  zOrder: readonly WindowId[];
  terminal: TerminalState;
  docScroll: number;
  selection: Selection | null;
  mail: readonly MailItem[];
  mailVersion: number;
}

const KEPT_TERMINAL_LINES = 200;
const KEPT_MAIL = 20;

/** Index of the first item whose time is after t (items sorted by time). */
function countUpTo<T>(items: readonly T[], t: number, timeOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (timeOf(items[mid]) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const two = (n: number): string => String(n).padStart(2, "0");

export class SceneStateTracker {
  // Terminal replay is incremental: frames ask for increasing times.
  private termApplied = 0;
  private termLines: string[] = [];
  private termCurrent = "";

  constructor(private readonly script: DemoScript) {
    this.resetTerminal();
  }

  private resetTerminal(): void {
    this.termApplied = 0;
    this.termLines = [...this.script.terminalBanner];
    this.termCurrent = this.script.prompt;
  }

  private terminalAt(t: number): TerminalState {
    const ops = this.script.terminal;
    const target = countUpTo(ops, t, (op) => op.t);
    if (target < this.termApplied) this.resetTerminal();
    for (; this.termApplied < target; this.termApplied++) {
      const op = ops[this.termApplied];
      if (op.kind === "type") this.termCurrent += op.text;
      else if (op.kind === "enter") {
        this.termLines.push(this.termCurrent);
        this.termCurrent = "";
      } else if (op.kind === "output") this.termLines.push(op.line);
      else this.termCurrent = this.script.prompt;
      if (this.termLines.length > KEPT_TERMINAL_LINES * 2) this.termLines.splice(0, this.termLines.length - KEPT_TERMINAL_LINES);
    }
    return { lines: this.termLines.slice(-KEPT_TERMINAL_LINES), current: this.termCurrent, version: target };
  }

  private zOrderAt(t: number): WindowId[] {
    const order = [...this.script.initialZOrder];
    for (const op of this.script.focus) {
      if (op.t > t) break;
      order.splice(order.indexOf(op.window), 1);
      order.push(op.window);
    }
    return order;
  }

  private scrollAt(t: number): number {
    const ops = this.script.scrolls;
    const n = countUpTo(ops, t, (op) => op.t0);
    if (n === 0) return 0;
    const op = ops[n - 1];
    if (t >= op.t1) return op.to;
    const s = (t - op.t0) / (op.t1 - op.t0);
    const eased = 1 - (1 - s) * (1 - s) * (1 - s);
    return Math.round(op.from + (op.to - op.from) * eased);
  }

  private selectionAt(t: number): Selection | null {
    const n = countUpTo(this.script.selections, t, (op) => op.t);
    return n === 0 ? null : this.script.selections[n - 1].selection;
  }

  private mailAt(t: number): { mail: MailItem[]; version: number } {
    let mail = [...this.script.initialMail];
    const n = countUpTo(this.script.mail, t, (op) => op.t);
    for (const op of this.script.mail.slice(0, n)) {
      if (op.kind === "arrive") mail = [op.item, ...mail].slice(0, KEPT_MAIL);
      else mail = mail.map((m) => (m.id === op.id ? { ...m, unread: false } : m));
    }
    return { mail, version: n };
  }

  clockAt(t: number): { time: string; date: string } {
    const seconds = this.script.clockStartSec + Math.floor(t / 1000);
    const minutes = Math.floor(seconds / 60) % (24 * 60);
    return { time: `${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`, date: "14/11/2024" };
  }

  at(t: number): SceneState {
    const { mail, version } = this.mailAt(t);
    return {
      size: sizeAt(this.script, t),
      clock: this.clockAt(t),
      zOrder: this.zOrderAt(t),
      terminal: this.terminalAt(t),
      docScroll: this.scrollAt(t),
      selection: this.selectionAt(t),
      mail,
      mailVersion: version,
    };
  }
}

/** Two states with the same key paint the same picture. */
export function stateKey(s: SceneState): string {
  const sel = s.selection ? `${s.selection.line}:${s.selection.start}-${s.selection.end}` : "-";
  return `${s.size.width}x${s.size.height}|${s.clock.time}|${s.zOrder.join(",")}|t${s.terminal.version}|s${s.docScroll}|${sel}|m${s.mailVersion}`;
}
