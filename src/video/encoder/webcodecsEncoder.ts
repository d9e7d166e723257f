// H264Encoder on @napi-rs/webcodecs: the W3C WebCodecs VideoEncoder over a static FFmpeg with
// libx264, encoding on the binding's own thread. Pictures go in as I420 (converted here, only the
// rows that changed), frames come out per picture through the output sink with the timestamps we
// gave. SPS/PPS come from the decoder config the first keyframe carries.
import type { VideoEncoder as NativeVideoEncoder, VideoEncoderConfig } from "@napi-rs/webcodecs";
import { parseAvcDecoderConfigRecord, sameCodecConfig } from "../mp4/avc.ts";
import { loadWebCodecs, type WebCodecsBinding } from "./webcodecsBinding.ts";
import { EncoderFailure, type EncodeRequest, type EncoderOutput, type H264CodecConfig, type H264Encoder } from "./types.ts";
import { checkPictureSize, rgbaToI420 } from "./yuv.ts";
import { errorMessage } from "../../errorMessage.ts";

export interface WebCodecsSettings {
  /**
   * Target bitrate per 1920×1080 picture area, bits/s; scaled by picture area. x264 runs in its
   * default (ABR) mode with no lookahead delay, so this sets quality rather than a hard rate.
   */
  bitsPerSecond1080p?: number;
  /** Pictures a second the rate control plans for (our frames come at most this often). */
  framerate?: number;
  /** "quantizer": the binding's constant-QP mode; "variable": x264 ABR at the bitrate above. */
  bitrateMode?: "quantizer" | "variable";
}

export interface WebCodecsStats {
  frames: number;
  keyframes: number;
  /** Pictures that were still inside the native encoder at the last call. */
  queued: number;
}

/** Chosen by measurement on desktop sessions (see bench/sections/encoder.ts): text stays sharp. */
export const DEFAULT_WEBCODECS_SETTINGS: Required<WebCodecsSettings> = { bitsPerSecond1080p: 2_000_000, framerate: 10, bitrateMode: "quantizer" };

/** Pictures allowed inside the native encoder before `encode` waits: enough to keep its thread busy. */
const MAX_QUEUE = 3;
/** How long `flush` waits for pictures still inside to come out by themselves before a native flush. */
const OUTPUT_WAIT_MS = 500;

interface Submitted {
  ptsMs: number;
  forceKey: boolean;
}

export class WebCodecsH264Encoder implements H264Encoder {
  readonly backend = "webcodecs" as const;
  private native: NativeVideoEncoder | null = null;
  private output: EncoderOutput | null = null;
  private size: { width: number; height: number } | null = null;
  private config: H264CodecConfig | null = null;
  private yuv = new Uint8Array(0);
  private yuvFilled = false;
  private readonly submitted: Submitted[] = [];
  private failure: EncoderFailure | null = null;
  private wakeUp: (() => void) | null = null;
  private closed = false;
  private readonly counters = { frames: 0, keyframes: 0 };

  private constructor(
    private readonly binding: WebCodecsBinding,
    private readonly settings: Required<WebCodecsSettings>,
  ) {}

  /** Rejects when the native binding does not load on this machine. */
  static async create(settings: WebCodecsSettings = settingsFromEnv()): Promise<WebCodecsH264Encoder> {
    const binding = await loadWebCodecs();
    if (!binding.ok) throw new EncoderFailure(`WebCodecs binding unavailable: ${binding.reason}`);
    return new WebCodecsH264Encoder(binding.module, { ...DEFAULT_WEBCODECS_SETTINGS, ...settings });
  }

  get stats(): WebCodecsStats {
    return { ...this.counters, queued: this.submitted.length };
  }

  async configure(width: number, height: number, output: EncoderOutput): Promise<void> {
    if (this.closed) throw new Error("encoder is closed");
    if (this.size) throw new Error("encoder is already configured");
    checkPictureSize(width, height);
    const native = new this.binding.VideoEncoder({
      output: (chunk, metadata) => this.chunkOut(chunk, metadata?.decoderConfig?.description),
      error: (e) => this.broke(`native encoder: ${errorMessage(e)}`),
    });
    const area = (width * height) / (1920 * 1080);
    const config: VideoEncoderConfig = {
      codec: codecFor(width, height),
      width,
      height,
      bitrate: Math.max(100_000, Math.round(this.settings.bitsPerSecond1080p * area)),
      framerate: this.settings.framerate,
      bitrateMode: this.settings.bitrateMode,
      // 'realtime' forces a keyframe every 10 frames; 'quality' has no lookahead delay either here.
      latencyMode: "quality",
      hardwareAcceleration: "prefer-software",
      avc: { format: "avc" },
    };
    try {
      native.configure(config);
    } catch (e) {
      native.close();
      throw new EncoderFailure(`WebCodecs configure ${width}x${height}: ${errorMessage(e)}`);
    }
    native.ondequeue = () => this.wake();
    this.native = native;
    this.output = output;
    this.size = { width, height };
    this.yuv = new Uint8Array((width * height * 3) / 2);
    this.yuvFilled = false;
  }

  async encode(rgba: Uint8Array | Uint8ClampedArray, request: EncodeRequest): Promise<void> {
    const { native, size } = this.ready();
    if (rgba.length !== size.width * size.height * 4) {
      throw new RangeError(`RGBA frame has ${rgba.length} bytes, expected ${size.width}x${size.height}x4 = ${size.width * size.height * 4}`);
    }
    const last = this.submitted.at(-1);
    if (last && request.ptsMs <= last.ptsMs) throw new RangeError(`pts ${request.ptsMs} ms is not after ${last.ptsMs} ms`);
    // The YUV picture persists between frames (VideoFrame copies it), so only changed rows convert.
    rgbaToI420(rgba, size.width, size.height, this.yuv, this.yuvFilled && request.changedRows ? request.changedRows : undefined);
    this.yuvFilled = true;
    const frame = new this.binding.VideoFrame(this.yuv, {
      format: "I420",
      codedWidth: size.width,
      codedHeight: size.height,
      timestamp: Math.round(request.ptsMs * 1000),
    });
    try {
      this.submitted.push({ ptsMs: request.ptsMs, forceKey: request.forceKey });
      native.encode(frame, { keyFrame: request.forceKey });
    } catch (e) {
      this.broke(`encode: ${errorMessage(e)}`);
    } finally {
      frame.close();
    }
    while (!this.failure && native.encodeQueueSize >= MAX_QUEUE) await this.sleep();
    this.throwIfBroken();
  }

  async flush(): Promise<void> {
    const { native } = this.ready();
    // x264 here (zerolatency: no lookahead, no B-frames) hands each picture back without being asked, and the
    // binding's flush drains and resets the encoder: 13 ms with nothing inside, ~35 ms more after a picture. So
    // wait for the pictures still inside to come out, and flush natively only if some do not.
    const deadline = performance.now() + OUTPUT_WAIT_MS;
    while (!this.failure && this.submitted.length > 0 && performance.now() < deadline) await this.sleep();
    if (this.submitted.length > 0 && !this.failure) {
      try {
        await native.flush();
      } catch (e) {
        this.broke(`flush: ${errorMessage(e)}`);
      }
    }
    this.throwIfBroken();
    if (this.submitted.length > 0) this.broke(`flush left ${this.submitted.length} pictures without output`);
    this.throwIfBroken();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.output = null;
    const native = this.native;
    this.native = null;
    this.wake();
    if (native && native.state !== "closed") native.close();
  }

  private chunkOut(chunk: { type: string; timestamp: number; byteLength: number; copyTo(dest: Uint8Array): void }, description: unknown): void {
    const output = this.output;
    if (!output || this.failure) return;
    try {
      if (description) this.takeConfig(output, description);
      const submitted = this.submitted.shift();
      if (!submitted) throw new EncoderFailure(`a frame came out (${chunk.timestamp} µs) that was never submitted`);
      if (chunk.timestamp !== Math.round(submitted.ptsMs * 1000)) {
        throw new EncoderFailure(`frames came out of order: ${chunk.timestamp} µs, expected ${submitted.ptsMs} ms`);
      }
      const isKey = chunk.type === "key";
      if (submitted.forceKey && !isKey) throw new EncoderFailure(`a keyframe was requested at ${submitted.ptsMs} ms but the encoder produced a delta frame`);
      if (!this.config) throw new EncoderFailure("the first frame came without a decoder config");
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      this.counters.frames++;
      if (isKey) this.counters.keyframes++;
      output.frame({ ptsMs: submitted.ptsMs, isKey, data });
      this.wake();
    } catch (e) {
      this.broke(errorMessage(e));
    }
  }

  /** The avcC the binding attaches to keyframes: the first sets the config, later ones must match it. */
  private takeConfig(output: EncoderOutput, description: unknown): void {
    const bytes = toBytes(description);
    if (!bytes) throw new EncoderFailure("decoder config description is not bytes");
    const size = this.size;
    if (!size) throw new EncoderFailure("output before configure");
    const record = parseAvcDecoderConfigRecord(bytes);
    if (record.lengthSize !== 4) throw new EncoderFailure(`avcC uses ${record.lengthSize}-byte NAL lengths, expected 4`);
    const config: H264CodecConfig = { width: size.width, height: size.height, sps: record.sps, pps: record.pps };
    if (!this.config) {
      this.config = config;
      output.config(config);
    } else if (!sameCodecConfig(this.config, config)) {
      throw new EncoderFailure("the encoder changed its SPS/PPS mid-stream");
    }
  }

  private ready(): { native: NativeVideoEncoder; size: { width: number; height: number } } {
    if (this.closed) throw new Error("encoder is closed");
    this.throwIfBroken();
    if (!this.native || !this.size) throw new Error("encoder is not configured");
    return { native: this.native, size: this.size };
  }

  private broke(reason: string): void {
    this.failure ??= new EncoderFailure(reason);
    this.wake();
  }

  private throwIfBroken(): void {
    if (this.failure) throw this.failure;
  }

  /** Waits for the native queue to shrink (or a failure); a timer backs up the dequeue event. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), 20);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const wake = this.wakeUp;
    this.wakeUp = null;
    wake?.();
  }
}

/** High profile (what the binding always produces) at the lowest level the picture size allows. */
function codecFor(width: number, height: number): string {
  const macroblocks = Math.ceil(width / 16) * Math.ceil(height / 16);
  const level = macroblocks <= 8192 ? 0x28 : macroblocks <= 22080 ? 0x32 : 0x33; // 4.0, 5.0, 5.1
  return `avc1.6400${level.toString(16)}`;
}

function toBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}

/** Bench-only overrides (DESKREEL_WEBCODECS_MODE, DESKREEL_WEBCODECS_BPS), to re-measure settings. */
function settingsFromEnv(): WebCodecsSettings {
  const mode = process.env.DESKREEL_WEBCODECS_MODE;
  const bps = Number(process.env.DESKREEL_WEBCODECS_BPS);
  return {
    ...(mode === "quantizer" || mode === "variable" ? { bitrateMode: mode } : {}),
    ...(bps > 0 ? { bitsPerSecond1080p: bps } : {}),
  };
}
