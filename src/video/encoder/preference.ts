// DESKREEL_VIDEO_ENCODER: which H.264 backend to use. Kept apart from the encoders so reading the
// configuration loads none of them.
import type { EncoderBackend } from "./types.ts";

export type EncoderPreference = EncoderBackend | "auto";

/** Reads DESKREEL_VIDEO_ENCODER; anything but webcodecs/wasm/auto (or unset) is an error. */
export function encoderPreference(value = process.env.DESKREEL_VIDEO_ENCODER): EncoderPreference {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "auto") return "auto";
  if (v === "webcodecs" || v === "wasm") return v;
  throw new RangeError(`DESKREEL_VIDEO_ENCODER=${value}: expected webcodecs, wasm or auto`);
}
