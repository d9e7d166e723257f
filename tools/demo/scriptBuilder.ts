// The moves of an office user, each appended to a DemoScript at the builder's clock and paced like a
// person: pointer travel at ~30 moves/s, typing speed, reading pauses, drag-selection.
import { ButtonState, MessageType, MouseButtonId } from "../../src/tdp/messages.ts";
import { ALERTS, connectionTest, makeMail, type CommandRun } from "./content.ts";
import {
  DOC_LINE_H, DOC_TOP_PAD, MAIL_ROW_H, docFont, docLineTop, layoutFor, textWidth, type DesktopLayout, type WindowId,
} from "./layout.ts";
import type { Rng } from "./random.ts";
import { clockTicks, sizeAt, type ActivityKind, type DemoScript, type InputMessage, type Selection } from "./script.ts";

const POINTER_STEP_MS = 33;
const encoder = new TextEncoder();

export class ScriptBuilder {
  t = 0;
  private x: number;
  private y: number;
  private focused: WindowId;
  private scroll = 0;
  private selection: Selection | null = null;
  private clipboard: string | null = null;
  private resized = false;
  private nextMailId: number;

  constructor(
    private readonly rng: Rng,
    readonly script: DemoScript,
  ) {
    this.x = Math.round(script.initialSize.width / 2);
    this.y = Math.round(script.initialSize.height / 2);
    this.focused = script.initialZOrder[script.initialZOrder.length - 1];
    this.nextMailId = script.initialMail.length + 1;
  }

  get isResized(): boolean {
    return this.resized;
  }

  private layout(): DesktopLayout {
    return layoutFor(this.resized ? this.script.resize.size : this.script.initialSize);
  }

  private emit(message: InputMessage, t = this.t): void {
    this.script.input.push({ t: Math.round(t), message });
  }

  private activity(kind: ActivityKind, startMs: number): void {
    this.script.activities.push({ kind, startMs, endMs: this.t });
  }

  /** Pointer travel with an eased, slightly curved path, one MouseMove about every 33 ms. */
  moveTo(tx: number, ty: number): void {
    const dx = tx - this.x;
    const dy = ty - this.y;
    const distance = Math.hypot(dx, dy);
    if (distance < 1) return;
    const duration = Math.min(1100, 220 + distance * 0.45) * this.rng.range(0.85, 1.15);
    const steps = Math.max(2, Math.round(duration / POINTER_STEP_MS));
    const bend = this.rng.range(-0.08, 0.08) * distance;
    const [x0, y0] = [this.x, this.y];
    for (let i = 1; i <= steps; i++) {
      const s = i / steps;
      const eased = s * s * (3 - 2 * s);
      const arc = Math.sin(Math.PI * s) * bend;
      this.x = Math.round(x0 + dx * eased - (dy / distance) * arc);
      this.y = Math.round(y0 + dy * eased + (dx / distance) * arc);
      this.t += POINTER_STEP_MS + this.rng.int(-3, 3);
      this.emit({ type: MessageType.MouseMove, x: Math.max(0, this.x), y: Math.max(0, this.y) });
    }
    this.x = Math.round(tx);
    this.y = Math.round(ty);
  }

  private button(button: MouseButtonId, state: ButtonState): void {
    this.emit({ type: MessageType.MouseButton, button, state });
  }

  /** Press and release; pressing inside another window focuses it, in the document it drops the selection. */
  click(target: WindowId | null, button = MouseButtonId.Left): void {
    this.t += this.rng.int(80, 250);
    this.button(button, ButtonState.Down);
    this.pressed(target);
    this.t += this.rng.int(70, 140);
    this.button(button, ButtonState.Up);
  }

  private pressed(target: WindowId | null): void {
    if (target !== null && target !== this.focused) {
      this.focused = target;
      this.script.focus.push({ t: this.t, window: target });
    }
    if (target === "document" && this.selection !== null) {
      this.selection = null;
      this.script.selections.push({ t: this.t, selection: null });
    }
  }

  private pointInside(box: { x: number; y: number; w: number; h: number }, margin = 0.2): [number, number] {
    return [
      Math.round(box.x + box.w * this.rng.range(margin, 1 - margin)),
      Math.round(box.y + box.h * this.rng.range(margin, 1 - margin)),
    ];
  }

  focusWindow(id: WindowId): void {
    const layout = this.layout();
    const box = id === "document" ? layout.docView : id === "terminal" ? layout.terminalView : layout.mailList;
    const [x, y] = this.pointInside(box);
    this.moveTo(x, y);
    this.click(id);
  }

  private typeText(text: string): void {
    for (const ch of text) {
      this.t += this.rng.int(60, 190) + (ch === " " && this.rng.chance(0.25) ? this.rng.int(150, 450) : 0);
      this.script.terminal.push({ t: this.t, kind: "type", text: ch });
    }
  }

  command(run: CommandRun, paste?: { before: string; after: string }): void {
    const start = this.t;
    if (this.focused !== "terminal") this.focusWindow("terminal");
    this.t += this.rng.int(300, 700);
    if (paste && this.clipboard !== null) {
      this.typeText(paste.before);
      // Right-click pastes in a Windows console.
      this.click("terminal", MouseButtonId.Right);
      this.t += this.rng.int(40, 90);
      this.script.terminal.push({ t: this.t, kind: "type", text: this.clipboard });
      this.t += this.rng.int(300, 700);
      this.typeText(paste.after);
    } else {
      this.typeText(run.command);
    }
    this.t += this.rng.int(250, 600);
    this.script.terminal.push({ t: this.t, kind: "enter" });
    for (const { line, afterMs } of run.output) {
      this.t += afterMs;
      this.script.terminal.push({ t: this.t, kind: "output", line });
    }
    this.t += this.rng.int(20, 60);
    this.script.terminal.push({ t: this.t, kind: "prompt" });
    this.t += this.rng.int(500, 1200);
    this.activity(paste ? "paste" : "command", start);
  }

  /** Types a command around the host name copied earlier, pasted with a right-click. */
  paste(): void {
    if (this.clipboard === null) return;
    const run = { command: "", output: connectionTest(this.clipboard, this.rng) };
    this.command(run, { before: "Test-NetConnection ", after: " -Port 443" });
  }

  private maxScroll(layout: DesktopLayout): number {
    return Math.max(0, DOC_TOP_PAD + this.script.document.length * DOC_LINE_H + 40 - layout.docView.h);
  }

  private scrollTo(target: number): void {
    const to = Math.round(Math.min(this.maxScroll(this.layout()), Math.max(0, target)));
    if (to === this.scroll) return;
    const lines = Math.abs(to - this.scroll) / DOC_LINE_H;
    const duration = Math.round(250 + lines * 45);
    this.script.scrolls.push({ t0: this.t, t1: this.t + duration, from: this.scroll, to });
    this.t += duration;
    this.scroll = to;
  }

  read(): void {
    const start = this.t;
    if (this.focused !== "document") this.focusWindow("document");
    const bursts = this.rng.int(1, 2);
    for (let i = 0; i < bursts; i++) {
      this.t += this.rng.int(600, 2000);
      const up = this.scroll > 0 && this.rng.chance(0.2);
      this.scrollTo(this.scroll + (up ? -1 : 1) * this.rng.int(4, 14) * DOC_LINE_H);
      if (this.rng.chance(0.4)) this.moveTo(this.x + this.rng.int(-60, 60), this.y + this.rng.int(-40, 40));
    }
    this.t += this.rng.int(800, 2500);
    this.activity("read", start);
  }

  /** Drag-select a host name in the report, then Ctrl+C (keys are not sent; the clipboard is). */
  copy(): void {
    const start = this.t;
    const doc = this.script.document;
    let layout = this.layout();
    const visible = (i: number): boolean => {
      const top = docLineTop(layout, i, this.scroll);
      return top >= layout.docView.y + 4 && top + DOC_LINE_H <= layout.docView.y + layout.docView.h - 4;
    };
    const candidates = doc.flatMap((line, i) => (line.token ? [i] : []));
    let index = candidates.find(visible);
    if (index === undefined) {
      if (this.focused !== "document") this.focusWindow("document");
      const firstBelow = Math.floor((this.scroll - DOC_TOP_PAD) / DOC_LINE_H);
      index = candidates.find((i) => i > firstBelow) ?? candidates[0];
      this.t += this.rng.int(300, 800);
      this.scrollTo(DOC_TOP_PAD + index * DOC_LINE_H - Math.round(layout.docView.h * 0.4));
      layout = this.layout();
    }
    const line = doc[index];
    const token = line.token ?? { start: 0, end: line.text.length };
    const font = docFont(line.style);
    const y = docLineTop(layout, index, this.scroll) + Math.round(DOC_LINE_H / 2);
    const x0 = Math.round(layout.docTextX + textWidth(line.text.slice(0, token.start), font));
    const x1 = Math.round(layout.docTextX + textWidth(line.text.slice(0, token.end), font));
    this.moveTo(x0 - 1, y);
    this.t += this.rng.int(150, 400);
    this.button(MouseButtonId.Left, ButtonState.Down);
    this.pressed("document");
    const steps = this.rng.int(10, 18);
    let end = token.start;
    for (let i = 1; i <= steps; i++) {
      this.t += POINTER_STEP_MS + this.rng.int(-3, 3);
      this.x = Math.round(x0 + ((x1 + 1 - x0) * i) / steps);
      this.emit({ type: MessageType.MouseMove, x: this.x, y });
      const reached = token.start + Math.round(((token.end - token.start) * i) / steps);
      if (reached !== end) {
        end = reached;
        this.selection = { line: index, start: token.start, end };
        this.script.selections.push({ t: this.t, selection: this.selection });
      }
    }
    this.t += this.rng.int(60, 150);
    this.button(MouseButtonId.Left, ButtonState.Up);
    this.t += this.rng.int(300, 500);
    this.clipboard = line.text.slice(token.start, token.end);
    this.emit({ type: MessageType.ClipboardData, data: encoder.encode(this.clipboard) });
    this.t += this.rng.int(400, 1000);
    this.activity("copy", start);
  }

  mail(): void {
    const start = this.t;
    const item = makeMail(this.rng, this.nextMailId++, true);
    this.script.mail.push({ t: this.t, kind: "arrive", item });
    this.t += this.rng.int(1500, 4000);
    if (this.rng.chance(0.6)) {
      const list = this.layout().mailList;
      this.moveTo(list.x + Math.round(list.w * this.rng.range(0.2, 0.7)), list.y + Math.round(MAIL_ROW_H / 2));
      this.click("mail");
      this.script.mail.push({ t: this.t, kind: "read", id: item.id });
      this.t += this.rng.int(1500, 4000);
    }
    this.activity("mail", start);
  }

  wander(): void {
    const start = this.t;
    const layout = this.layout();
    const moves = this.rng.int(1, 3);
    for (let i = 0; i < moves; i++) {
      const [x, y] = this.pointInside({ x: 0, y: 0, w: layout.width, h: layout.height }, 0.05);
      this.moveTo(x, y);
      this.t += this.rng.int(300, 1500);
    }
    this.activity("wander", start);
  }

  /** No input and no screen change; kept clear of the taskbar clock's minute ticks. */
  idle(length: number): void {
    const ticks = clockTicks(this.script);
    let startMs = this.t;
    let lengthMs = Math.round(length);
    const tick = ticks.find((b) => b > startMs);
    if (tick !== undefined && startMs + lengthMs + 300 > tick) {
      if (tick - 300 - startMs >= lengthMs * 0.6) lengthMs = tick - 300 - startMs;
      else startMs = tick + 300;
    }
    lengthMs = Math.min(lengthMs, this.script.durationMs - 500 - startMs);
    if (lengthMs < 1000) {
      this.t += 500;
      return;
    }
    this.script.idle.push({ startMs, endMs: startMs + lengthMs });
    this.t = startMs + lengthMs;
    this.activity("idle", startMs);
  }

  alert(): void {
    const start = this.t;
    const { message, severity } = this.rng.pick(ALERTS);
    this.emit({ type: MessageType.Alert, message, severity });
    this.t += this.rng.int(500, 1500);
    this.activity("alert", start);
  }

  resize(): void {
    if (this.resized) return;
    const start = this.t;
    this.t += this.rng.int(100, 400);
    this.script.resize.atMs = this.t;
    this.resized = true;
    const { width, height } = this.script.resize.size;
    this.x = Math.min(this.x, width - 1);
    this.y = Math.min(this.y, height - 1);
    const scroll = Math.min(this.scroll, this.maxScroll(this.layout()));
    if (scroll !== this.scroll) this.script.scrolls.push({ t0: this.t, t1: this.t, from: this.scroll, to: scroll });
    this.scroll = scroll;
    this.t += this.rng.int(800, 2000);
    this.activity("resize", start);
  }

  /** A last MouseMove exactly at the end, so the session lasts durationMs. */
  finish(): void {
    const { width, height } = sizeAt(this.script, this.script.durationMs);
    this.script.input.push({ t: this.script.durationMs, message: { type: MessageType.MouseMove, x: Math.min(this.x, width - 1), y: Math.min(this.y, height - 1) } });
  }
}

