// Encodes again the pictures of a partial group of pictures, so a clip can start between keyframes. The
// recording's samples are decoded from their keyframe with the WebCodecs VideoDecoder of the native
// binding the encoder already uses (FFmpeg inside, on its own threads), and the decoded pictures go
// straight into its VideoEncoder: no RGB round trip, no second copy of the compositor's work. The
// alternative, composing the picture at `from` again from the recording's events, would replay every
// event since the session started (an hour of them for a clip near the end); decoding is bounded by
// one group of pictures (DESKREEL_KEYFRAME_MS).
import type { EncodedVideoChunk as NativeChunk, VideoFrame as NativeFrame } from "@napi-rs/webcodecs";
import { avcCodecString, avcDecoderConfigRecord, parseAvcDecoderConfigRecord } from "../mp4/avc.ts";
import type { RangeReader } from "../mp4/io.ts";
import type { StoredSample, VideoCodecConfig } from "../mp4/types.ts";
import { errorMessage } from "../../errorMessage.ts";
import { loadWebCodecs } from "../encoder/webcodecsBinding.ts";

/** x264 constant quantiser for re-encoded pictures: a little finer than the recording, so the cut adds little loss. */
const REENCODE_QP = 16;

export interface ReencodeRequest {
  config: VideoCodecConfig;
  read: RangeReader;
  /** Samples to decode, keyframe first, in decode order. */
  decode: readonly StoredSample[];
  /** Which decoded pictures to encode again (samples of `decode`), and their times in the output, ms. */
  pictures: ReadonlyArray<{ source: StoredSample; dtsMs: number }>;
}

export interface ReencodeResult {
  config: VideoCodecConfig;
  /** AVCC samples, one per requested picture; the first is a keyframe. */
  samples: Array<{ dtsMs: number; isKey: boolean; data: Uint8Array }>;
}

/** Thrown when this server cannot decode (the native binding does not load here). */
export class ReencodeUnavailable extends Error {
  override name = "ReencodeUnavailable";
}

export async function reencodePictures(request: ReencodeRequest): Promise<ReencodeResult> {
  const binding = await loadWebCodecs();
  if (!binding.ok) throw new ReencodeUnavailable(`cutting between keyframes needs the native WebCodecs binding, which does not load here: ${binding.reason}`);
  const wc = binding.module;
  const { config } = request;
  const pictureOf = new Map(request.pictures.map((p, k) => [p.source.offset, k]));
  // the decoder passes each chunk's timestamp on to its picture: the index into `decode`
  const pictureOfDecoded = request.decode.map((s) => pictureOf.get(s.offset) ?? -1);
  const failures: string[] = [];
  const out: ReencodeResult["samples"] = [];
  let outConfig: VideoCodecConfig | null = null;

  const encoder = new wc.VideoEncoder({
    output: (chunk, metadata) => {
      const description = metadata?.decoderConfig?.description;
      if (description && !outConfig) {
        const record = parseAvcDecoderConfigRecord(toBytes(description));
        outConfig = { width: config.width, height: config.height, sps: record.sps, pps: record.pps };
      }
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      const picture = request.pictures[out.length];
      if (!picture || Math.round(picture.dtsMs * 1000) !== chunk.timestamp) {
        failures.push(`encoder gave a picture at ${chunk.timestamp} µs out of order`);
        return;
      }
      out.push({ dtsMs: picture.dtsMs, isKey: chunk.type === "key", data });
    },
    error: (e) => failures.push(`encoder: ${errorMessage(e)}`),
  });
  const decoder = new wc.VideoDecoder({
    output: (frame: NativeFrame) => {
      const k = pictureOfDecoded[Number(frame.timestamp)] ?? -1;
      if (k < 0) return frame.close();
      const copy = new wc.VideoFrame(frame, { timestamp: Math.round(request.pictures[k].dtsMs * 1000) });
      frame.close();
      try {
        encoder.encode(copy, { keyFrame: k === 0, avc: { quantizer: REENCODE_QP } });
      } catch (e) {
        failures.push(`encode: ${errorMessage(e)}`);
      } finally {
        copy.close();
      }
    },
    error: (e) => failures.push(`decoder: ${errorMessage(e)}`),
  });
  try {
    decoder.configure({
      codec: avcCodecString(config.sps[0]),
      description: avcDecoderConfigRecord(config),
      codedWidth: config.width,
      codedHeight: config.height,
      hardwareAcceleration: "prefer-software",
    });
    encoder.configure({
      codec: avcCodecString(config.sps[0]),
      width: config.width,
      height: config.height,
      bitrate: 2_000_000,
      framerate: 10,
      bitrateMode: "quantizer",
      latencyMode: "quality",
      hardwareAcceleration: "prefer-software",
      avc: { format: "avc" },
    });
    const first = request.decode[0];
    const last = request.decode[request.decode.length - 1];
    const bytes = await request.read(first.offset, last.offset + last.size);
    request.decode.forEach((sample, i) => {
      const local = sample.offset - first.offset;
      const chunk: NativeChunk = new wc.EncodedVideoChunk({ type: i === 0 ? "key" : "delta", timestamp: i, data: bytes.subarray(local, local + sample.size) });
      decoder.decode(chunk);
    });
    await decoder.flush();
    await encoder.flush();
  } finally {
    if (decoder.state !== "closed") decoder.close();
    if (encoder.state !== "closed") encoder.close();
  }
  if (failures.length > 0) throw new Error(`re-encoding the first pictures failed: ${failures[0]}`);
  if (out.length !== request.pictures.length) throw new Error(`re-encoding gave ${out.length} of ${request.pictures.length} pictures`);
  if (!out[0].isKey) throw new Error("the re-encoded first picture is not a keyframe");
  if (!outConfig) throw new Error("the encoder gave no decoder config");
  return { config: outConfig, samples: out };
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new Error("decoder config description is not bytes");
}
