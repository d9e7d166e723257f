// Messages between the VideoPool (main thread) and its video workers, with the checks that turn an
// `unknown` event payload back into one of them.
import type { EncodeWindow } from "../compose/scheduler.ts";
import type { EncoderPreference } from "../encoder/preference.ts";
import type { H264CodecConfig } from "../encoder/types.ts";
import { parsePictureBatch, type PictureBatch } from "./pictureBatch.ts";
import type { PreviewSheet } from "../compose/previewSheets.ts";

export type VideoMode = "live" | "import";

export interface WorkerSessionOptions {
  mode: VideoMode;
  maxFps?: number;
  keyframeMs?: number;
  qp?: number;
  /** Which H.264 encoder backend (default "auto": WebCodecs where it loads). */
  encoder?: EncoderPreference;
  thumbnailWidth?: number;
  /** Make seek-bar preview sheets (default true). */
  previews?: boolean;
  /** Overlay the RDP pointer on frames (default true). */
  pointer?: boolean;
  /** Import split across workers: compose every message, encode only the frames in this window. */
  encodeWindow?: EncodeWindow;
}

export type MainToWorker =
  | { type: "open"; sessionId: string; options: WorkerSessionOptions }
  | { type: "push"; sessionId: string; batch: PictureBatch }
  | { type: "end"; sessionId: string; endMs: number };

export type VideoProblemKind =
  /** A message was rejected (bad tile, bad screen size); the video goes on without it. */
  | "bad-input"
  /** The encoder failed; this session's video stops. */
  | "encoder-failed"
  /** The worker running this session died; this session's video stops. */
  | "worker-crashed";

export interface SessionProgress {
  /** Session time of the last message fully handled. */
  processedMs: number;
  /** Messages handled so far (they are handled in push order). */
  processedMessages: number;
  processedBytes: number;
  frames: number;
  keyframes: number;
  droppedFrames: number;
  /** Frames not encoded because the picture was byte for byte the previous frame's. */
  sameFrames: number;
  encodedBytes: number;
  /** The frame interval in force (ms); above 1000/maxFps when degraded. */
  intervalMs: number;
}

export type WorkerToMain =
  | { type: "config"; sessionId: string; config: H264CodecConfig }
  | { type: "frame"; sessionId: string; ptsMs: number; isKey: boolean; data: Uint8Array; encodeMs: number }
  | { type: "problem"; sessionId: string; kind: VideoProblemKind; reason: string; messageIndex: number | null; atMs: number | null }
  | { type: "thumbnail"; sessionId: string; png: Uint8Array; atMs: number; final: boolean }
  | { type: "preview"; sessionId: string; sheet: PreviewSheet }
  | { type: "progress"; sessionId: string; progress: SessionProgress; busyMs: number }
  /** Every frame of the ended session has been posted; its final thumbnail and preview sheet come next, then "ended". */
  | { type: "frames-done"; sessionId: string }
  | { type: "ended"; sessionId: string; progress: SessionProgress; failed: boolean }
  /** The worker cannot go on (e.g. its WASM module aborted); the pool replaces it. */
  | { type: "fatal"; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new TypeError(`message field ${key} is not a string`);
  return v;
}

function num(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== "number" || Number.isNaN(v)) throw new TypeError(`message field ${key} is not a number`);
  return v;
}

function optionalNum(o: Record<string, unknown>, key: string): number | undefined {
  return o[key] === undefined ? undefined : num(o, key);
}

function bytes(o: Record<string, unknown>, key: string): Uint8Array {
  const v = o[key];
  if (!(v instanceof Uint8Array)) throw new TypeError(`message field ${key} is not bytes`);
  return v;
}

function record(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = o[key];
  if (!isRecord(v)) throw new TypeError(`message field ${key} is not an object`);
  return v;
}

function optionalWindow(o: Record<string, unknown>): EncodeWindow | undefined {
  if (o.encodeWindow === undefined) return undefined;
  const w = record(o, "encodeWindow");
  return { fromMs: num(w, "fromMs"), untilMs: w.untilMs === null ? null : num(w, "untilMs") };
}

function optionalEncoder(o: Record<string, unknown>): EncoderPreference | undefined {
  const v = o.encoder;
  if (v === undefined) return undefined;
  if (v !== "auto" && v !== "webcodecs" && v !== "wasm") throw new TypeError(`encoder ${String(v)} is not auto|webcodecs|wasm`);
  return v;
}

function mode(o: Record<string, unknown>): VideoMode {
  const v = str(o, "mode");
  if (v !== "live" && v !== "import") throw new TypeError(`mode ${v} is not live|import`);
  return v;
}

export function parseMainToWorker(data: unknown): MainToWorker {
  if (!isRecord(data)) throw new TypeError("worker message is not an object");
  const sessionId = str(data, "sessionId");
  switch (data.type) {
    case "open": {
      const o = record(data, "options");
      return {
        type: "open",
        sessionId,
        options: {
          mode: mode(o),
          maxFps: optionalNum(o, "maxFps"),
          keyframeMs: optionalNum(o, "keyframeMs"),
          qp: optionalNum(o, "qp"),
          encoder: optionalEncoder(o),
          thumbnailWidth: optionalNum(o, "thumbnailWidth"),
          pointer: o.pointer === undefined ? undefined : o.pointer === true,
          previews: o.previews === undefined ? undefined : o.previews === true,
          encodeWindow: optionalWindow(o),
        },
      };
    }
    case "push": {
      return { type: "push", sessionId, batch: parsePictureBatch(record(data, "batch")) };
    }
    case "end":
      return { type: "end", sessionId, endMs: num(data, "endMs") };
    default:
      throw new TypeError(`unknown worker message type ${String(data.type)}`);
  }
}

function progress(o: Record<string, unknown>): SessionProgress {
  return {
    processedMs: num(o, "processedMs"),
    processedMessages: num(o, "processedMessages"),
    processedBytes: num(o, "processedBytes"),
    frames: num(o, "frames"),
    keyframes: num(o, "keyframes"),
    droppedFrames: num(o, "droppedFrames"),
    sameFrames: num(o, "sameFrames"),
    encodedBytes: num(o, "encodedBytes"),
    intervalMs: num(o, "intervalMs"),
  };
}

function unitList(o: Record<string, unknown>, key: string): Uint8Array[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((u: unknown) => u instanceof Uint8Array)) throw new TypeError(`config ${key} is not a list of bytes`);
  return v.filter((u: unknown): u is Uint8Array => u instanceof Uint8Array);
}

function problemKind(o: Record<string, unknown>): VideoProblemKind {
  const v = str(o, "kind");
  if (v !== "bad-input" && v !== "encoder-failed" && v !== "worker-crashed") throw new TypeError(`problem kind ${v} is unknown`);
  return v;
}

export function parseWorkerToMain(data: unknown): WorkerToMain {
  if (!isRecord(data)) throw new TypeError("worker message is not an object");
  if (data.type === "fatal") return { type: "fatal", reason: str(data, "reason") };
  const sessionId = str(data, "sessionId");
  switch (data.type) {
    case "config": {
      const c = record(data, "config");
      return { type: "config", sessionId, config: { width: num(c, "width"), height: num(c, "height"), sps: unitList(c, "sps"), pps: unitList(c, "pps") } };
    }
    case "frame":
      return { type: "frame", sessionId, ptsMs: num(data, "ptsMs"), isKey: data.isKey === true, data: bytes(data, "data"), encodeMs: num(data, "encodeMs") };
    case "problem": {
      const index = data.messageIndex;
      const at = data.atMs;
      return {
        type: "problem", sessionId, kind: problemKind(data), reason: str(data, "reason"),
        messageIndex: typeof index === "number" ? index : null, atMs: typeof at === "number" ? at : null,
      };
    }
    case "thumbnail":
      return { type: "thumbnail", sessionId, png: bytes(data, "png"), atMs: num(data, "atMs"), final: data.final === true };
    case "preview": {
      const p = record(data, "sheet");
      const tiles = p.tiles;
      if (!Array.isArray(tiles) || !tiles.every((t) => typeof t === "number")) throw new TypeError("message field tiles is not a list of numbers");
      return {
        type: "preview", sessionId,
        sheet: { sheet: str(p, "sheet"), image: bytes(p, "image"), tiles, tileWidth: num(p, "tileWidth"), tileHeight: num(p, "tileHeight"), columns: num(p, "columns") },
      };
    }
    case "progress":
      return { type: "progress", sessionId, progress: progress(record(data, "progress")), busyMs: num(data, "busyMs") };
    case "frames-done":
      return { type: "frames-done", sessionId };
    case "ended":
      return { type: "ended", sessionId, progress: progress(record(data, "progress")), failed: data.failed === true };
    default:
      throw new TypeError(`unknown message type ${String(data.type)} from a video worker`);
  }
}
