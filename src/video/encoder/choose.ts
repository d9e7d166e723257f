// Which H.264 encoder a session gets: the native WebCodecs one where its binding loads, else the
// WASM one; DESKREEL_VIDEO_ENCODER=webcodecs|wasm picks one (webcodecs then fails loudly if absent).
import { HmeH264Encoder } from "./hmeEncoder.ts";
import { encoderPreference, type EncoderPreference } from "./preference.ts";
import type { EncoderBackend, H264Encoder } from "./types.ts";
import { loadWebCodecs, type BindingLoad } from "./webcodecsBinding.ts";
import { WebCodecsH264Encoder } from "./webcodecsEncoder.ts";

export { encoderPreference, type EncoderPreference };

export interface EncoderChoiceOptions {
  /** Default: DESKREEL_VIDEO_ENCODER, else "auto". */
  prefer?: EncoderPreference;
  /** Constant quantiser for the WASM encoder. */
  qp?: number;
}

/** The backend `prefer` resolves to here, and why (for logs and /v1/status). */
export async function resolveBackend(
  prefer: EncoderPreference = encoderPreference(),
  load: () => Promise<BindingLoad> = loadWebCodecs,
): Promise<{ backend: EncoderBackend; reason: string }> {
  if (prefer === "wasm") return { backend: "wasm", reason: "chosen by configuration" };
  const binding = await load();
  if (binding.ok) return { backend: "webcodecs", reason: prefer === "webcodecs" ? "chosen by configuration" : "native binding loaded" };
  if (prefer === "webcodecs") throw new Error(`DESKREEL_VIDEO_ENCODER=webcodecs but the native binding does not load: ${binding.reason}`);
  return { backend: "wasm", reason: `native binding unavailable (${binding.reason})` };
}

export async function createH264Encoder(options: EncoderChoiceOptions = {}): Promise<H264Encoder> {
  const { backend } = await resolveBackend(options.prefer ?? encoderPreference());
  return backend === "webcodecs" ? WebCodecsH264Encoder.create() : HmeH264Encoder.create({ qp: options.qp });
}
