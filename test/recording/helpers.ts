// Test doubles for storage and small builders shared by the recording tests.
import { createCanvas } from "@napi-rs/canvas";
import type { AppendHandle } from "../../src/storage/blobStore.ts";
import type { AuditJson } from "../../src/recording/auditJson.ts";
import type { AuditLog } from "../../src/recording/tee.ts";
import { readTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap.ts";
import type { DesktopSessionInfo } from "../../src/recording/desktopRecorder.ts";

import { SAMPLE_CAPTURE } from "../support/corpusPath.ts";

export { SAMPLE_CAPTURE };

let capture: TdpcapRecord[] | null = null;
export async function sampleCapture(): Promise<TdpcapRecord[]> {
  capture ??= readTdpcap(await Bun.file(SAMPLE_CAPTURE).bytes());
  return capture;
}

/** An append handle in memory: what it holds is exactly the bytes of every resolved append. */
export class MemoryAppendHandle implements AppendHandle {
  private chunks: Uint8Array[] = [];
  private length = 0;
  state: "open" | "closed" | "aborted" = "open";
  appends = 0;

  constructor(readonly key = "recordings/test.tar") {}

  get size(): number {
    return this.length;
  }

  async append(data: Uint8Array): Promise<void> {
    if (this.state !== "open") throw new Error(`append to ${this.state} handle`);
    this.chunks.push(data.slice());
    this.length += data.length;
    this.appends++;
  }

  async close(): Promise<void> {
    this.state = "closed";
  }

  async abort(): Promise<void> {
    this.state = "aborted";
    this.chunks = [];
    this.length = 0;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/**
 * A handle whose appends fail while `failing` is set (leaving nothing behind, like FileStore's
 * truncate-on-failure). `stall()` makes appends hang until `release()`: a slow store without a clock.
 */
export class TroubledAppendHandle extends MemoryAppendHandle {
  failing = false;
  failures = 0;
  private stalled: Array<() => void> | null = null;

  stall(): void {
    this.stalled ??= [];
  }

  /** Appends hanging on the stall right now. */
  get stalledAppends(): number {
    return this.stalled?.length ?? 0;
  }

  release(): void {
    const waiting = this.stalled ?? [];
    this.stalled = null;
    for (const go of waiting) go();
  }

  override async append(data: Uint8Array): Promise<void> {
    if (this.stalled !== null) await new Promise<void>((resolve) => this.stalled?.push(resolve));
    if (this.failing) {
      this.failures++;
      throw new Error("disk unavailable (test)");
    }
    await super.append(data);
  }
}

export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditJson[] = [];
  emit(json: AuditJson): void {
    this.entries.push(json);
  }
}

export function sessionInfo(sessionId: string, overrides: Partial<DesktopSessionInfo> = {}): DesktopSessionInfo {
  return {
    sessionId,
    user: "alice",
    login: "Administrator",
    desktopName: "win-dc-01",
    desktopAddr: "10.0.0.5:3389",
    clusterName: "deskreel.test",
    labels: { env: "test" },
    ...overrides,
  };
}

/** Wait until `check` is true (polling), failing after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error("condition not reached in time");
    await Bun.sleep(2);
  }
}

/** A 256x256 PNG of random opaque pixels: incompressible, so ~190 KiB, far over one record. */
export function noisyPng(seed: number): { png: Uint8Array; pixels: Uint8ClampedArray } {
  const canvas = createCanvas(256, 256);
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(256, 256);
  let state = seed * 2_654_435_761 + 1;
  const next = (): number => {
    // xorshift32: its low bits are as random as its high ones, so the PNG does not compress.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 0xff;
  };
  for (let i = 0; i < image.data.length; i += 4) {
    image.data[i] = next();
    image.data[i + 1] = next();
    image.data[i + 2] = next();
    image.data[i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return { png: new Uint8Array(canvas.toBuffer("image/png")), pixels: image.data };
}
