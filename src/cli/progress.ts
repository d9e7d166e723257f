// Progress for long work. On a terminal: one bar redrawn in place. Anywhere else (a pipe, a log file):
// a plain line now and then (at most every few seconds, and at each quarter), never control characters.
import type { Output } from "./context.ts";
import { formatBytes, formatDuration } from "./format.ts";

const BAR_WIDTH = 24;
const REDRAW_MS = 100;
const PLAIN_EVERY_MS = 2000;

export interface ProgressOptions {
  label: string;
  /** Total units (bytes by default), or null when unknown. */
  total: number | null;
  /** How to show amounts (default: bytes). */
  unit?: (n: number) => string;
  now?: () => number;
}

export class Progress {
  private done = 0;
  private note = "";
  private lastDraw = -Infinity;
  private lastQuarter = -1;
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly unit: (n: number) => string;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private options: ProgressOptions,
  ) {
    this.now = options.now ?? (() => performance.now());
    this.unit = options.unit ?? formatBytes;
    this.startedAt = this.now();
  }

  get isTTY(): boolean {
    return this.out.isTTY;
  }

  /** A new label or total (e.g. the next file of an import). */
  relabel(label: string, total?: number | null): void {
    this.options = { ...this.options, label, total: total === undefined ? this.options.total : total };
    this.lastQuarter = -1;
    this.draw(true);
  }

  update(done: number, note = this.note): void {
    this.done = done;
    this.note = note;
    this.draw(false);
  }

  /** Ends the bar with a closing line. */
  finish(message: string): void {
    if (this.out.isTTY && this.drawn) this.out.write("\r\x1b[K");
    this.out.write(`${message}\n`);
    this.drawn = false;
  }

  /** Prints a line without breaking the bar (it is redrawn below the line). */
  log(line: string): void {
    if (this.out.isTTY && this.drawn) this.out.write("\r\x1b[K");
    this.out.write(`${line}\n`);
    if (this.out.isTTY && this.drawn) this.draw(true);
  }

  private fraction(): number | null {
    const { total } = this.options;
    return total === null || total <= 0 ? null : Math.min(1, this.done / total);
  }

  private draw(force: boolean): void {
    const now = this.now();
    const fraction = this.fraction();
    if (this.out.isTTY) {
      if (!force && now - this.lastDraw < REDRAW_MS && fraction !== 1) return;
      this.lastDraw = now;
      this.drawn = true;
      this.out.write(`\r\x1b[K${this.barLine(now, fraction)}`);
      return;
    }
    const quarter = fraction === null ? -1 : Math.floor(fraction * 4);
    const newQuarter = quarter > this.lastQuarter;
    if (!force && !newQuarter && now - this.lastDraw < PLAIN_EVERY_MS) return;
    this.lastQuarter = Math.max(this.lastQuarter, quarter);
    this.lastDraw = now;
    this.out.write(`${this.plainLine(fraction)}\n`);
  }

  private amounts(): string {
    const { total } = this.options;
    return total === null ? this.unit(this.done) : `${this.unit(this.done)} / ${this.unit(total)}`;
  }

  private barLine(now: number, fraction: number | null): string {
    const elapsedS = (now - this.startedAt) / 1000;
    const rate = elapsedS > 0.2 ? this.done / elapsedS : 0;
    const note = this.note ? `  ${this.note}` : "";
    if (fraction === null) return `${this.options.label}  ${this.amounts()}${note}`;
    const filled = Math.round(fraction * BAR_WIDTH);
    const bar = "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled);
    const total = this.options.total ?? 0;
    const eta = rate > 0 && fraction < 1 ? `  ETA ${formatDuration(((total - this.done) / rate) * 1000)}` : "";
    const speed = rate > 0 && this.unit === formatBytes ? `  ${formatBytes(rate)}/s` : "";
    return `${this.options.label}  ${bar} ${String(Math.floor(fraction * 100)).padStart(3)}%  ${this.amounts()}${speed}${eta}${note}`;
  }

  private plainLine(fraction: number | null): string {
    const percent = fraction === null ? "" : ` ${Math.floor(fraction * 100)}%`;
    const note = this.note ? ` (${this.note})` : "";
    return `${this.options.label}:${percent} ${this.amounts()}${note}`;
  }
}
