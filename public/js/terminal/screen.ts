// The terminal on screen: an xterm.js Terminal showing a recording as it was after its first N steps.
// Moving forward writes only the new output; moving back resets the terminal and replays from the start,
// in large batched writes (xterm parses tens of MB/s, and renders once at the end), so any seek is exact.
// Writes are applied strictly in order, a resize only after the output before it has been parsed.
import { Terminal } from "@xterm/xterm";
import type { TerminalRecording, TerminalSize } from "./data.ts";
import { bridgeInlineStyles } from "./styleBridge.ts";
import { concatBytes } from "../../../src/bytes.ts";

/** Output is handed to xterm in writes of at most this many bytes. */
const WRITE_BATCH_BYTES = 1 << 20;
/** Busy for longer than this (ms) counts as slow: the player shows its spinner. */
const SLOW_MS = 200;


export class TerminalScreen {
  readonly term: Terminal;
  /** Steps written to the terminal so far. */
  private applied = 0;
  private target = 0;
  private busySince: number | null = null;
  private settledWaiters: Array<() => void> = [];

  constructor(
    container: HTMLElement,
    private readonly recording: TerminalRecording,
    private readonly onChange: () => void,
  ) {
    this.term = new Terminal({
      cols: recording.size.cols,
      rows: recording.size.rows,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: 14,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace",
    });
    bridgeInlineStyles(container);
    this.term.open(container);
    // A recording is watched, not typed into: keep keyboard focus (and the player's shortcuts) on the page.
    this.term.textarea?.addEventListener("focus", () => this.term.textarea?.blur());
  }

  get size(): TerminalSize {
    return { cols: this.term.cols, rows: this.term.rows };
  }

  /** Replaying for a while (a long seek). */
  get slow(): boolean {
    return this.busySince !== null && performance.now() - this.busySince > SLOW_MS;
  }

  get settled(): boolean {
    return this.busySince === null && this.applied === this.target;
  }

  /** Resolves once the terminal shows the last requested state. */
  whenSettled(): Promise<void> {
    if (this.settled) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Show the state after the first `count` steps (the newest request wins). */
  showSteps(count: number): void {
    this.target = count;
    if (this.busySince === null && this.applied !== count) void this.run();
  }

  private async run(): Promise<void> {
    this.busySince = performance.now();
    try {
      while (this.applied !== this.target) {
        if (this.target < this.applied) this.restart();
        await this.applyUpTo();
      }
    } finally {
      this.busySince = null;
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const resolve of waiters) resolve();
      this.onChange();
    }
  }

  private restart(): void {
    this.term.reset();
    this.resize(this.recording.size);
    this.applied = 0;
  }

  /** Write steps up to the target, stopping early when the target moves back. */
  private async applyUpTo(): Promise<void> {
    const steps = this.recording.steps;
    let parts: Uint8Array[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (bytes === 0) return;
      const data = concatBytes(parts);
      parts = [];
      bytes = 0;
      await new Promise<void>((resolve) => this.term.write(data, resolve));
    };
    while (this.applied < this.target) {
      const step = steps[this.applied];
      if (step.kind === "resize") {
        await flush();
        this.resize(step.size);
      } else {
        parts.push(step.data);
        bytes += step.data.length;
      }
      this.applied++;
      if (bytes >= WRITE_BATCH_BYTES) {
        await flush();
        if (this.target < this.applied) return;
      }
    }
    await flush();
  }

  private resize(size: TerminalSize): void {
    if (size.cols !== this.term.cols || size.rows !== this.term.rows) this.term.resize(size.cols, size.rows);
    this.onChange();
  }

  dispose(): void {
    this.term.dispose();
  }
}
