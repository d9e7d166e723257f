// Runs FreeRDP's RemoteFX decoder (rfxref.c against the system's libfreerdp2) on RemoteFX messages, for the
// bit-exactness test and the decode benchmark. Needs gcc and Debian's libfreerdp2-2; `available()` says why not.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { looksLikeRemoteFx } from "../../../src/rdp/rfx/message";

export interface RfxMessage {
  left: number;
  top: number;
  data: Uint8Array;
}

let built: string | null | undefined;
let why = "";

/** Compiles the harness once; null (with the reason in `unavailableReason()`) when gcc or libfreerdp2 is missing. */
export function freerdpReference(): string | null {
  if (built !== undefined) return built;
  const dir = mkdtempSync(join(tmpdir(), "rfxref-"));
  const exe = join(dir, "rfxref");
  const cc = Bun.spawnSync(["gcc", "-O2", "-o", exe, join(import.meta.dir, "rfxref.c"), "-l:libfreerdp2.so.2"], { stderr: "pipe" });
  if (cc.exitCode !== 0 || !existsSync(exe)) {
    why = `gcc with libfreerdp2 (Debian: gcc libfreerdp2-2) not usable: ${cc.stderr.toString().trim().split("\n").slice(-1)[0] ?? "no gcc"}`;
    built = null;
  } else {
    built = exe;
  }
  return built;
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
  const run = Bun.spawnSync([exe, join(dir, "messages.bin"), String(width), String(height), String(repeats), join(dir, "out.rgbx")], { stderr: "pipe" });
  if (run.exitCode !== 0) throw new Error(`rfxref failed: ${run.stderr.toString()}`);
  const [count, ms, failed] = run.stdout.toString().trim().split(" ").map(Number);
  if (count !== messages.length) throw new Error(`rfxref decoded ${count} of ${messages.length} messages`);
  const cpuMs = Number(run.resourceUsage.cpuTime.total) / 1000;
  return { rgbx: new Uint8Array(readFileSync(join(dir, "out.rgbx"))), ms: ms!, cpuMs, failed: failed! };
}
