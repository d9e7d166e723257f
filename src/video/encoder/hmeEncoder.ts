// H264Encoder on h264-mp4-encoder (WASM, Baseline profile). Output leaves per frame through the
// Mp4OutputTap, so memory stays flat however long the session runs. A keyframe on demand is a
// restart: finalize the current segment (its moov double-checks what we handed out) and initialize
// again, which costs well under a millisecond plus the IDR itself.
import type { H264MP4Encoder } from "h264-mp4-encoder";
import { containsIdrSlice, readMp4Samples } from "../mp4/reader.ts";
import { loadHmeRuntime, type HmeRuntime } from "./hmeRuntime.ts";
import { Mp4OutputTap } from "./mp4Tap.ts";
import { EncoderFailure, type EncodeRequest, type EncoderOutput, type H264CodecConfig, type H264Encoder } from "./types.ts";
import type { RowSpan } from "../compose/rowSpan.ts";
import { checkPictureSize, rgbaToI420 } from "./yuv.ts";
import { errorMessage } from "../../errorMessage.ts";

export interface HmeEncoderOptions {
  /** Constant quantiser, 10 (best) .. 51. Default 28: ~45 dB on desktop content. */
  qp?: number;
}

export interface HmeEncoderStats {
  frames: number;
  keyframes: number;
  /** Restarts made to force a keyframe. */
  restarts: number;
  /** Restarts made because a tiny first frame was stuck in the filebuf (its bytes come out at finalize). */
  drainRestarts: number;
  /** Time spent in finalize+initialize, ms. */
  restartMs: number;
}

export const DEFAULT_QP = 28;
let nextFileId = 0;

/** One synchronously encoded picture (the backend-neutral EncodedFrame adds its time). */
export interface HmeFrame {
  isKey: boolean;
  data: Uint8Array;
}

export class HmeH264Encoder implements H264Encoder {
  readonly backend = "wasm" as const;
  private output: EncoderOutput | null = null;
  private size: { width: number; height: number } | null = null;
  private config: H264CodecConfig | null = null;
  private tap: Mp4OutputTap | null = null;
  private segmentFrames = 0;
  private yuv = new Uint8Array(0);
  /** Whether `yuv` holds the previous picture, so that only changed rows need converting. */
  private yuvFilled = false;
  private closed = false;
  private readonly path = `/deskreel-video-${process.pid}-${nextFileId++}.mp4`;
  private readonly counters: HmeEncoderStats = { frames: 0, keyframes: 0, restarts: 0, drainRestarts: 0, restartMs: 0 };

  private constructor(
    private readonly runtime: HmeRuntime,
    private readonly encoder: H264MP4Encoder,
    private readonly qp: number,
  ) {}

  static async create(options: HmeEncoderOptions = {}): Promise<HmeH264Encoder> {
    const qp = options.qp ?? DEFAULT_QP;
    if (!Number.isInteger(qp) || qp < 10 || qp > 51) throw new RangeError(`qp ${qp} is outside 10..51`);
    const runtime = await loadHmeRuntime();
    return new HmeH264Encoder(runtime, await runtime.createEncoder(), qp);
  }

  get stats(): HmeEncoderStats {
    return { ...this.counters };
  }

  async configure(width: number, height: number, output: EncoderOutput): Promise<void> {
    const config = this.configureSync(width, height);
    this.output = output;
    output.config(config);
  }

  /** Encodes synchronously: the frame comes out through the output before this returns. */
  async encode(rgba: Uint8Array | Uint8ClampedArray, request: EncodeRequest): Promise<void> {
    const output = this.output;
    if (!output) throw new Error("encoder is not configured");
    const frame = this.encodeSync(rgba, request.forceKey, request.changedRows);
    output.frame({ ptsMs: request.ptsMs, isKey: frame.isKey, data: frame.data });
  }

  async flush(): Promise<void> {}

  /** Sets the picture size and returns the codec configuration (probed with one throwaway frame). */
  configureSync(width: number, height: number): H264CodecConfig {
    if (this.closed) throw new Error("encoder is closed");
    if (this.size) throw new Error("encoder is already configured");
    checkPictureSize(width, height);
    const e = this.encoder;
    e.width = width;
    e.height = height;
    // frameRate 1 makes every sample a whole mp4v2 chunk, written as soon as it is encoded; the
    // rate does not matter otherwise (constant QP, timestamps are ours).
    e.frameRate = 1;
    e.quantizationParameter = this.qp;
    e.speed = 10;
    // 0: no periodic keyframes; we restart the encoder when the scheduler asks for one.
    e.groupOfPictures = 0;
    e.kbps = 0;
    e.temporalDenoise = false;
    e.desiredNaluBytes = 0;
    e.outputFilename = this.path;
    this.size = { width, height };
    this.yuv = new Uint8Array((width * height * 3) / 2);
    this.yuvFilled = false;
    this.config = this.probeConfig();
    this.startSegment();
    return this.config;
  }

  /** Encodes one picture; `changedRows` limits the RGBA→I420 conversion to rows that changed. */
  encodeSync(rgba: Uint8Array | Uint8ClampedArray, forceKey: boolean, changedRows?: readonly RowSpan[] | null): HmeFrame {
    if (this.closed) throw new Error("encoder is closed");
    const size = this.size;
    if (!size || !this.tap) throw new Error("encoder is not configured");
    // Wrong sizes abort the WASM module: check here.
    if (rgba.length !== size.width * size.height * 4) {
      throw new RangeError(`RGBA frame has ${rgba.length} bytes, expected ${size.width}x${size.height}x4 = ${size.width * size.height * 4}`);
    }
    if (forceKey && this.segmentFrames > 0) {
      this.restart();
      this.counters.restarts++;
    }
    // Only rows that changed need converting again (the YUV picture is ours and outlives restarts).
    rgbaToI420(rgba, size.width, size.height, this.yuv, this.yuvFilled && changedRows ? changedRows : undefined);
    this.yuvFilled = true;
    const data = this.addFrame(this.yuv);
    const isKey = containsIdrSlice(data);
    if (forceKey && !isKey) throw new EncoderFailure("a keyframe was requested but the encoder produced a P frame");
    this.counters.frames++;
    if (isKey) this.counters.keyframes++;
    return { isKey, data };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.tap) this.encoder.finalize();
    } finally {
      this.tap = null;
      this.runtime.unlink(this.encoder, this.path);
      this.encoder.delete();
    }
  }

  private addFrame(yuv: Uint8Array): Uint8Array {
    const tap = this.requireTap();
    this.callModule(() => this.encoder.addFrameYuv(yuv));
    tap.sampleAdded();
    this.segmentFrames++;
    this.checkTap(tap);
    const sample = this.guard(() => tap.takeSample());
    if (sample) return sample;
    // A first frame smaller than the filebuf: its bytes are only reachable by finalizing.
    this.counters.drainRestarts++;
    const [drained] = this.finishSegment().samples;
    this.startSegment();
    if (!drained) throw new EncoderFailure("finalize did not write the pending frame");
    return drained;
  }

  /** Encodes one black frame in a throwaway segment and reads SPS/PPS from its moov. */
  private probeConfig(): H264CodecConfig {
    const size = this.size;
    if (!size) throw new Error("not configured");
    const black = new Uint8Array(this.yuv.length);
    black.fill(16, 0, size.width * size.height);
    black.fill(128, size.width * size.height);
    this.startSegment();
    this.callModule(() => this.encoder.addFrameYuv(black));
    this.requireTap().sampleAdded();
    const { moov } = this.finishSegment();
    const parsed = this.guard(() => readMp4Samples(moov));
    if (parsed.width !== size.width || parsed.height !== size.height) {
      throw new EncoderFailure(`encoder reports ${parsed.width}x${parsed.height}, configured ${size.width}x${size.height}`);
    }
    return { width: size.width, height: size.height, sps: parsed.sps, pps: parsed.pps };
  }

  private restart(): void {
    const started = performance.now();
    this.finishSegment();
    this.startSegment();
    this.counters.restartMs += performance.now() - started;
  }

  private startSegment(): void {
    this.callModule(() => this.encoder.initialize());
    const stream = this.guard(() => this.runtime.outputStream(this.encoder, this.path));
    const tap = new Mp4OutputTap(this.runtime, stream.position());
    stream.redirectWrites(tap.write);
    this.tap = tap;
    this.segmentFrames = 0;
  }

  /** Finalizes the current segment and checks its moov against what was handed out. */
  private finishSegment(): { samples: Uint8Array[]; moov: Uint8Array } {
    const tap = this.requireTap();
    this.tap = null;
    const result = this.guard(() => tap.finish(() => this.callModule(() => this.encoder.finalize())));
    this.runtime.unlink(this.encoder, this.path);
    const parsed = this.guard(() => readMp4Samples(result.moov));
    const expected = tap.sampleSizes;
    const written = parsed.samples.map((s) => s.size);
    if (written.length !== expected.length || written.some((size, i) => size !== expected[i])) {
      throw new EncoderFailure(`h264-mp4-encoder internals changed: moov lists samples [${written.join(",")}], the tap saw [${expected.join(",")}]`);
    }
    if (this.config && !sameUnits(this.config.sps, parsed.sps)) throw new EncoderFailure("h264-mp4-encoder internals changed: SPS differs between segments");
    if (this.config && !sameUnits(this.config.pps, parsed.pps)) throw new EncoderFailure("h264-mp4-encoder internals changed: PPS differs between segments");
    return result;
  }

  private checkTap(tap: Mp4OutputTap): void {
    const fault = tap.takeFault();
    if (fault) throw new EncoderFailure(fault);
  }

  private requireTap(): Mp4OutputTap {
    if (!this.tap) throw new EncoderFailure("no open encoder segment");
    return this.tap;
  }

  /** Calls into WASM; an abort there leaves the module unusable, so it becomes an EncoderFailure. */
  private callModule(call: () => void): void {
    try {
      call();
    } catch (e) {
      if (e instanceof EncoderFailure) throw e;
      throw new EncoderFailure(`h264-mp4-encoder: ${errorMessage(e)}`, e instanceof WebAssembly.RuntimeError);
    }
  }

  private guard<T>(work: () => T): T {
    try {
      return work();
    } catch (e) {
      throw e instanceof EncoderFailure ? e : new EncoderFailure(errorMessage(e));
    }
  }
}

function sameUnits(a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((unit, i) => unit.length === b[i].length && unit.every((v, j) => v === b[i][j]));
}
