// Writes a DemoScript: an office user's session with commands, reading, copying, mail, idle
// time and one screen resize. Every session opens with the same sequence of activities (so short
// sessions still show each kind), then follows a weighted office routine.
import { MessageType } from "../../src/tdp/messages.ts";
import { makeDocument, makeMail, quickCommand, everydayCommand } from "./content.ts";
import { defaultResizeTarget, type Size } from "./layout.ts";
import { Rng } from "./random.ts";
import { sizeAt, type DemoScript } from "./script.ts";
import { ScriptBuilder } from "./scriptBuilder.ts";

export interface ScriptOptions {
  width: number;
  height: number;
  durationS: number;
  seed: number;
  /** Size after the one resize; default 5/6 of each side. */
  resizeTo?: Size;
  /** Windows user shown in the prompt. */
  login?: string;
}

function emptyScript(opts: ScriptOptions, rng: Rng): DemoScript {
  const login = opts.login ?? "alice";
  return {
    seed: opts.seed,
    durationMs: Math.round(opts.durationS * 1000),
    initialSize: { width: opts.width, height: opts.height },
    resize: { atMs: Number.POSITIVE_INFINITY, size: opts.resizeTo ?? defaultResizeTarget(opts) },
    clockStartSec: rng.int(8 * 3600, 17 * 3600),
    prompt: `PS C:\\Users\\${login}> `,
    terminalBanner: ["Windows PowerShell", "Copyright (C) Microsoft Corporation. All rights reserved.", ""],
    document: makeDocument(rng.fork()),
    initialMail: Array.from({ length: 9 }, (_, i) => makeMail(rng, i + 1, i < 2)),
    initialZOrder: ["document", "mail", "terminal"],
    focus: [],
    terminal: [],
    scrolls: [],
    selections: [],
    mail: [],
    input: [],
    idle: [],
    activities: [],
  };
}

type Step = "quick" | "command" | "read" | "copy" | "idle" | "alert" | "paste" | "mail" | "wander";
/** Every session shows these, in this order, before the office routine takes over. */
const OPENING: readonly Step[] = ["quick", "read", "copy", "idle", "alert", "paste", "read", "mail"];
const ROUTINE = { command: 30, read: 20, wander: 15, mail: 8, copy: 7, idle: 10 } as const;

export function buildScript(opts: ScriptOptions): DemoScript {
  const rng = new Rng(opts.seed);
  const script = emptyScript(opts, rng);
  const b = new ScriptBuilder(rng.fork(), script);
  const D = script.durationMs;
  const resizeTarget = D * rng.range(0.45, 0.6);
  let alerted = false;
  b.t = rng.int(300, 900);
  b.moveTo(Math.round(opts.width * 0.6), Math.round(opts.height * 0.7));

  let opening = 0;
  while (b.t < D - 1500) {
    if (!b.isResized && b.t >= resizeTarget) {
      b.resize();
      continue;
    }
    const step: Step = opening < OPENING.length ? OPENING[opening++] : rng.weighted(ROUTINE);
    if (step === "quick") b.command(quickCommand(rng));
    else if (step === "command") b.command(everydayCommand(rng));
    else if (step === "read") b.read();
    else if (step === "copy") b.copy();
    else if (step === "mail") b.mail();
    else if (step === "wander") b.wander();
    else if (step === "alert" && !alerted) {
      b.alert();
      alerted = true;
    } else if (step === "idle") {
      const first = script.idle.length === 0;
      b.idle(first ? Math.min(45_000, Math.max(3000, D * 0.25 * rng.range(0.8, 1.2))) : rng.range(15_000, 45_000));
    } else if (step === "paste") b.paste();
  }
  if (!b.isResized) b.resize();
  b.finish();
  return finalise(script);
}

/** Drops what falls after the end, keeps input in time order and pointer positions on the screen. */
function finalise(script: DemoScript): DemoScript {
  const D = script.durationMs;
  if (script.resize.atMs > D - 100) script.resize.atMs = Math.max(0, D - 100);
  script.input = script.input
    .filter((e) => e.t <= D)
    .map((e, order) => ({ e, order }))
    .sort((a, b) => a.e.t - b.e.t || a.order - b.order)
    .map(({ e }) => {
      if (e.message.type !== MessageType.MouseMove) return e;
      const { width, height } = sizeAt(script, e.t);
      return { t: e.t, message: { ...e.message, x: Math.min(Math.max(0, e.message.x), width - 1), y: Math.min(Math.max(0, e.message.y), height - 1) } };
    });
  script.idle = script.idle.filter((s) => s.endMs <= D && s.startMs < s.endMs);
  return script;
}
