import { describe, expect, test } from "bun:test";
import { MessageType } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";
import { EncoderFailure, type EncodedFrame, type EncodeRequest, type EncoderOutput, type H264Encoder } from "../../src/video/encoder/types.ts";
import { packPictures, type PictureBatch } from "../../src/video/pool/pictureBatch.ts";
import type { WorkerToMain } from "../../src/video/pool/protocol.ts";
import { pictureRecords } from "./helpers/pictures.ts";
import { WorkerSession } from "../../src/video/pool/workerSession.ts";
import { SAMPLE_CAPTURE } from "../support/corpusPath.ts";

const records = readTdpcap(new Uint8Array(await Bun.file(SAMPLE_CAPTURE).arrayBuffer())).filter((r) => r.delayMs < 8000);

function batchOf(list: typeof records): PictureBatch {
  const pictures = pictureRecords(list);
  return packPictures(pictures.map((p) => p.message), pictures.map((p) => p.delayMs), 0, list[list.length - 1].delayMs);
}

/**
 * Records what it is asked to encode; throws `failure` on frame `failAt`. Frames come out one behind, like a
 * native encoder's with lookahead: each when the next goes in, the last only on flush, so the session must
 * flush and wait for it at the end.
 */
class FakeEncoder implements H264Encoder {
  readonly backend = "wasm" as const;
  sizes: number[] = [];
  closed = false;
  private output: EncoderOutput | null = null;
  private held: EncodedFrame | null = null;
  constructor(
    private readonly failAt: number,
    private readonly failure: Error,
  ) {}
  async configure(width: number, height: number, output: EncoderOutput): Promise<void> {
    this.output = output;
    output.config({ width, height, sps: [Uint8Array.of(0x67, 66, 0, 31)], pps: [Uint8Array.of(0x68, 1)] });
  }
  async encode(rgba: Uint8Array | Uint8ClampedArray, request: EncodeRequest): Promise<void> {
    if (this.sizes.length === this.failAt) throw this.failure;
    this.sizes.push(rgba.length);
    const frame: EncodedFrame = { ptsMs: request.ptsMs, isKey: request.forceKey, data: Uint8Array.of(0, 0, 0, 1, request.forceKey ? 0x65 : 0x41) };
    const previous = this.held;
    this.held = frame;
    if (previous) queueMicrotask(() => this.output?.frame(previous));
  }
  async flush(): Promise<void> {
    await Promise.resolve();
    const last = this.held;
    this.held = null;
    if (last) this.output?.frame(last);
  }
  close(): void {
    this.closed = true;
  }
}

async function runSession(encoder: FakeEncoder, batch = batchOf(records), endMs = 8000) {
  const posted: WorkerToMain[] = [];
  const fatal: string[] = [];
  let ended!: () => void;
  const endedPosted = new Promise<void>((resolve) => (ended = resolve));
  const post = (m: WorkerToMain) => {
    posted.push(m);
    if (m.type === "ended") ended();
  };
  const session = new WorkerSession("s", { mode: "import" }, post, async () => encoder, (reason) => fatal.push(reason));
  session.push(batch);
  session.end(endMs);
  await endedPosted;
  return { posted, fatal };
}

describe("worker session", () => {
  test("runs a session to the end: config, frames of the video size, thumbnails, ended", async () => {
    const encoder = new FakeEncoder(-1, new Error("unused"));
    const { posted, fatal } = await runSession(encoder);
    const types = posted.map((m) => m.type);
    expect(types[0]).toBe("config");
    expect(types[types.length - 1]).toBe("ended");
    expect(types.filter((t) => t === "thumbnail").length).toBe(2);
    // Every frame, then frames-done (the MP4 can be finished), then the final thumbnail and the end.
    const framesDone = types.indexOf("frames-done");
    expect(types.filter((t) => t === "frames-done").length).toBe(1);
    expect(framesDone).toBeGreaterThan(types.lastIndexOf("frame"));
    expect(framesDone).toBeLessThan(posted.findIndex((m) => m.type === "thumbnail" && m.final));
    expect(encoder.sizes.length).toBeGreaterThan(10);
    expect(encoder.sizes.every((n) => n === 1280 * 720 * 4)).toBe(true);
    expect(encoder.closed).toBe(true);
    expect(fatal).toEqual([]);
    const ended = posted[posted.length - 1];
    expect(ended.type === "ended" && !ended.failed && ended.progress.frames === encoder.sizes.length).toBe(true);
  });

  test("a picture redrawn with the same pixels is not encoded again, not even at the end; keyframes still are", async () => {
    // The sample's first screen and tiles, then its first full-screen tile sent again every 200 ms for 10 s.
    const pictures = pictureRecords(records);
    const screen = pictures.findIndex((p) => p.message.type === MessageType.ClientScreenSpec);
    const tiles = pictures.slice(screen + 1).filter((p) => p.message.type === MessageType.PNG2Frame || p.message.type === MessageType.PNGFrame);
    const opening = pictures.slice(0, screen + 1 + 40);
    const t0 = opening.at(-1)!.delayMs + 200;
    const again = Array.from({ length: 50 }, (_, i) => ({ message: tiles[0]!.message, delayMs: t0 + i * 200 }));
    const all = [...opening, ...again];
    const endMs = t0 + 50 * 200;
    const encoder = new FakeEncoder(-1, new Error("unused"));
    const { posted } = await runSession(encoder, packPictures(all.map((p) => p.message), all.map((p) => p.delayMs), 0, endMs), endMs);
    const ended = posted.at(-1)!;
    if (ended.type !== "ended") throw new Error("no end");
    const frames = posted.flatMap((m) => (m.type === "frame" ? [m] : []));
    // The first repeat may change the picture (it repaints over later tiles); the rest cannot.
    expect(ended.progress.sameFrames).toBeGreaterThanOrEqual(40);
    expect(ended.progress.frames + ended.progress.sameFrames).toBeGreaterThan(50);
    expect(ended.progress.frames).toBe(encoder.sizes.length);
    // Keyframes (every 3 s by default) are encoded however unchanged the picture; the session's final frame,
    // the same picture again, is not (the MP4's last frame lasts until the end instead).
    const keysInRepeats = frames.filter((f) => f.isKey && f.ptsMs > t0 + 200).length;
    expect(keysInRepeats).toBeGreaterThanOrEqual(2);
    const lastFrame = frames.at(-1)!;
    expect(lastFrame.isKey || lastFrame.ptsMs < endMs - 200).toBe(true);
    expect(frames.filter((f) => !f.isKey && f.ptsMs > t0 + 2 * 200).length).toBe(0);
  });

  test("an encoder failure fails this session's video only", async () => {
    const encoder = new FakeEncoder(5, new EncoderFailure("encoder broke"));
    const { posted, fatal } = await runSession(encoder);
    const problems = posted.filter((m) => m.type === "problem");
    expect(problems).toEqual([{ type: "problem", sessionId: "s", kind: "encoder-failed", reason: "encoder broke", messageIndex: null, atMs: null }]);
    // Frames still inside the encoder when it broke are not sent; none ever follows "ended".
    const frames = posted.filter((m) => m.type === "frame").length;
    expect(frames).toBeGreaterThan(0);
    expect(frames).toBeLessThanOrEqual(5);
    expect(posted.findLastIndex((m) => m.type === "frame")).toBeLessThan(posted.findIndex((m) => m.type === "ended"));
    const ended = posted[posted.length - 1];
    expect(ended.type === "ended" && ended.failed).toBe(true);
    expect(encoder.closed).toBe(true);
    expect(fatal).toEqual([]);
  });

  test("a WASM abort is fatal for the worker (the module is shared)", async () => {
    const encoder = new FakeEncoder(2, new EncoderFailure("abort(OOM)", true));
    const { posted, fatal } = await runSession(encoder);
    expect(fatal.length).toBe(1);
    expect(fatal[0]).toContain("abort(OOM)");
    const ended = posted[posted.length - 1];
    expect(ended.type === "ended" && ended.failed).toBe(true);
  });
});
