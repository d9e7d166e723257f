// The shared real capture (sample-720, 1280x720) and its summary, loaded once per test file.
import { decodeMessage } from "../../src/tdp/codec.ts";
import { MessageType as T, type PNG2Frame, type PNGFrame } from "../../src/tdp/messages.ts";
import { readTdpcap } from "../../src/tdp/tdpcap.ts";

import { CORPUS_DIR } from "../support/corpusPath.ts";

export { CORPUS_DIR };
export const captureBytes = new Uint8Array(await Bun.file(`${CORPUS_DIR}/sample-720.tdpcap`).arrayBuffer());
export const summary = (await Bun.file(`${CORPUS_DIR}/sample-720.json`).json()) as {
  records: number;
  duration_ms: number;
  width: number;
  height: number;
  message_counts: Record<string, { type: number; count: number }>;
  tiles: { total: number; rgb_png: number; rgba_png: number };
  clipboard_events: Array<{ t_ms: number; text: string }>;
  alerts: Array<{ t_ms: number; message: string; severity: number }>;
};

export function corpusTiles(): Array<PNGFrame | PNG2Frame> {
  return readTdpcap(captureBytes)
    .map((r) => decodeMessage(r.data))
    .filter((m): m is PNGFrame | PNG2Frame => m.type === T.PNGFrame || m.type === T.PNG2Frame);
}
