// Runs FreeRDP's RemoteFX decoder (rfxref.c against the system's libfreerdp2) on RemoteFX messages, for the
// bit-exactness test and the decode benchmark. Needs gcc and Debian's libfreerdp2-2; `available()` says why not.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { looksLikeRemoteFx } from "../../../src/rdp/rfx/message";

export interface RfxMessage {
  left: number;
  top: number;
  data: Uint8Array;
}

const built = new Map<string, string | null>();
let why = "";

function compile(name: string, libs: string[]): string | null {
  if (built.has(name)) return built.get(name)!;
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const exe = join(dir, name);
  const cc = Bun.spawnSync(["gcc", "-O2", "-o", exe, join(import.meta.dir, `${name}.c`), ...libs.map((l) => `-l:${l}`)], { stderr: "pipe" });
  if (cc.exitCode !== 0 || !existsSync(exe)) {
    why = `gcc with libfreerdp2 (Debian: gcc libc6-dev libfreerdp2-2) not usable: ${cc.stderr.toString().trim().split("\n").slice(-1)[0] ?? "no gcc"}`;
    built.set(name, null);
    return null;
  }
  built.set(name, exe);
  return exe;
}

/** Compiles the decoding harness once; null (with the reason in `unavailableReason()`) when gcc or libfreerdp2 is missing. */
export function freerdpReference(): string | null {
  return compile("rfxref", ["libfreerdp2.so.2"]);
}

/** Compiles the encoding harness once (see rfxenc.c); null when unavailable. */
export function freerdpEncoder(): string | null {
  return compile("rfxenc", ["libfreerdp2.so.2", "libwinpr2.so.2"]);
}

/** One RemoteFX message (all headers, one rectangle) of a width×height RGBX picture, encoded by FreeRDP. */
export function encodeWithFreerdp(exe: string, rgbx: Uint8Array, width: number, height: number, mode: "rlgr1" | "rlgr3"): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "rfxenc-run-"));
  try {
    writeFileSync(join(dir, "in.rgbx"), rgbx);
    const run = Bun.spawnSync([exe, join(dir, "in.rgbx"), String(width), String(height), mode, join(dir, "out.rfx")], { stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`rfxenc failed (${run.exitCode}): ${run.stderr.toString()}`);
    return new Uint8Array(readFileSync(join(dir, "out.rfx")));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function unavailableReason(): string {
  return why;
}

/** The RemoteFX messages (with their surface origin) of a sequence of whole surface-commands updates. */
export function rfxMessages(updates: Uint8Array[]): RfxMessage[] {
  const out: RfxMessage[] = [];
  for (const u of updates) {
    const v = new DataView(u.buffer, u.byteOffset, u.byteLength);
    for (let pos = 0; pos + 2 <= u.length; ) {
      const type = v.getUint16(pos, true);
      if (type === 0x0004) {
        pos += 8;
        continue;
      }
      const flags = u[pos + 11]!;
      const length = v.getUint32(pos + 18, true);
      const start = pos + 22 + (flags & 1 ? 24 : 0);
      const data = u.subarray(start, start + length);
      if (looksLikeRemoteFx(data)) out.push({ left: v.getUint16(pos + 2, true), top: v.getUint16(pos + 4, true), data });
      pos = start + length;
    }
  }
  return out;
}

/**
 * Decodes `messages` with FreeRDP onto a width×height screen `repeats` times: the screen (RGBX), the best pass's
 * wall time, and the CPU time of the whole run (all threads, all passes).
 */
export function decodeWithFreerdp(exe: string, messages: RfxMessage[], width: number, height: number, repeats = 1): { rgbx: Uint8Array; ms: number; cpuMs: number; failed: number } {
  const dir = mkdtempSync(join(tmpdir(), "rfxref-run-"));
  const parts: Uint8Array[] = [];
  for (const m of messages) {
    const head = new DataView(new ArrayBuffer(8));
    head.setUint16(0, m.left, true);
    head.setUint16(2, m.top, true);
    head.setUint32(4, m.data.length, true);
    parts.push(new Uint8Array(head.buffer), m.data);
  }
  writeFileSync(join(dir, "messages.bin"), Buffer.concat(parts));
  try {
    const run = Bun.spawnSync([exe, join(dir, "messages.bin"), String(width), String(height), String(repeats), join(dir, "out.rgbx")], { stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`rfxref failed: ${run.stderr.toString()}`);
    const [count, ms, failed] = run.stdout.toString().trim().split(" ").map(Number);
    if (count !== messages.length) throw new Error(`rfxref decoded ${count} of ${messages.length} messages`);
    const cpuMs = Number(run.resourceUsage.cpuTime.total) / 1000;
    return { rgbx: new Uint8Array(readFileSync(join(dir, "out.rgbx"))), ms: ms!, cpuMs, failed: failed! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
