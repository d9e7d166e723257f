// The demo session's script: what the user does and when, as timed operations on the desktop's
// parts plus the input messages (pointer, clipboard, alert). Built once from a seed.
import { MessageType, type Alert, type ClipboardData, type MouseButton, type MouseMove } from "../../src/tdp/messages.ts";
import type { DocLine, MailItem } from "./content.ts";
import type { Size, WindowId } from "./layout.ts";

export type InputMessage = MouseMove | MouseButton | ClipboardData | Alert;

export interface TimedInput {
  t: number;
  message: InputMessage;
}

export type TerminalOp =
  | { t: number; kind: "type"; text: string }
  | { t: number; kind: "enter" }
  | { t: number; kind: "output"; line: string }
  | { t: number; kind: "prompt" };

/** A smooth scroll of the document from `from` to `to` pixels between t0 and t1. */
export interface ScrollOp {
  t0: number;
  t1: number;
  from: number;
  to: number;
}

/** Selected characters [start, end) of one document line. */
export interface Selection {
  line: number;
  start: number;
  end: number;
}

export interface SelectionOp {
  t: number;
  selection: Selection | null;
}

export interface FocusOp {
  t: number;
  window: WindowId;
}

export type MailOp = { t: number; kind: "arrive"; item: MailItem } | { t: number; kind: "read"; id: number };

export type ActivityKind = "command" | "read" | "copy" | "paste" | "mail" | "wander" | "idle" | "resize" | "alert";

export interface Activity {
  kind: ActivityKind;
  startMs: number;
  endMs: number;
}

/** A time range [startMs, endMs). */
export interface Stretch {
  startMs: number;
  endMs: number;
}

export interface DemoScript {
  seed: number;
  durationMs: number;
  initialSize: Size;
  /** The one screen resize of the session. */
  resize: { atMs: number; size: Size };
  /** Wall-clock time shown by the taskbar clock at t = 0, in seconds since midnight. */
  clockStartSec: number;
  prompt: string;
  terminalBanner: readonly string[];
  document: readonly DocLine[];
  initialMail: readonly MailItem[];
  /** Window stacking at t = 0, bottom first; the last one has the focus. */
  initialZOrder: readonly WindowId[];
  focus: FocusOp[];
  terminal: TerminalOp[];
  scrolls: ScrollOp[];
  selections: SelectionOp[];
  mail: MailOp[];
  /** Pointer, clipboard and alert messages in time order, all within [0, durationMs]. */
  input: TimedInput[];
  /** Stretches in which nothing at all happens: no screen change and no input. */
  idle: Stretch[];
  activities: Activity[];
}

export const isMouseMove = (m: InputMessage): m is MouseMove => m.type === MessageType.MouseMove;

/** Milliseconds of the clock's minute boundaries within the session. */
export function clockTicks(script: DemoScript): number[] {
  const ticks: number[] = [];
  const first = (60 - (script.clockStartSec % 60)) * 1000;
  for (let t = first; t <= script.durationMs; t += 60_000) ticks.push(t);
  return ticks;
}

export function sizeAt(script: DemoScript, t: number): Size {
  return t >= script.resize.atMs ? script.resize.size : script.initialSize;
}
