// H.264 decoder configuration: the avcC record (ISO 14496-15 §5.3.3) and the RFC 6381 codec string.

import type { VideoCodecConfig } from "./types.ts";

const NAL_LENGTH_SIZE = 4;

export interface AvcDecoderConfig {
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** Bytes in each sample's NAL length prefix. */
  lengthSize: number;
}

function checkParameterSets(sps: Uint8Array[], pps: Uint8Array[]): void {
  if (sps.length === 0 || sps.length > 31) throw new Error(`avcC needs 1..31 SPS, got ${sps.length}`);
  if (pps.length === 0 || pps.length > 255) throw new Error(`avcC needs 1..255 PPS, got ${pps.length}`);
  for (const unit of sps) {
    if (unit.length < 4 || (unit[0] & 0x1f) !== 7) throw new Error("SPS is not an SPS NAL unit (type 7)");
  }
  for (const unit of pps) {
    if (unit.length < 1 || (unit[0] & 0x1f) !== 8) throw new Error("PPS is not a PPS NAL unit (type 8)");
  }
}

/** The body of an avcC box (AVCDecoderConfigurationRecord) for 4-byte NAL lengths. */
export function avcDecoderConfigRecord(config: Pick<VideoCodecConfig, "sps" | "pps">): Uint8Array {
  const { sps, pps } = config;
  checkParameterSets(sps, pps);
  const first = sps[0];
  let size = 7;
  for (const unit of [...sps, ...pps]) size += 2 + unit.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = 1; // configurationVersion
  out[1] = first[1]; // profile_idc
  out[2] = first[2]; // constraint flags
  out[3] = first[3]; // level_idc
  out[4] = 0xfc | (NAL_LENGTH_SIZE - 1);
  out[5] = 0xe0 | sps.length;
  let at = 6;
  for (const unit of sps) {
    view.setUint16(at, unit.length);
    out.set(unit, at + 2);
    at += 2 + unit.length;
  }
  out[at++] = pps.length;
  for (const unit of pps) {
    view.setUint16(at, unit.length);
    out.set(unit, at + 2);
    at += 2 + unit.length;
  }
  return out;
}

/** Parses an avcC body; trailing High-profile extension fields are ignored. */
export function parseAvcDecoderConfigRecord(record: Uint8Array): AvcDecoderConfig {
  const fail = (why: string): never => {
    throw new Error(`invalid avcC record: ${why}`);
  };
  if (record.length < 7 || record[0] !== 1) fail("bad header");
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const lengthSize = (record[4] & 0x03) + 1;
  let at = 5;
  const readUnits = (count: number): Uint8Array[] => {
    const units: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > record.length) fail("truncated parameter set length");
      const length = view.getUint16(at);
      if (at + 2 + length > record.length) fail("truncated parameter set");
      units.push(record.slice(at + 2, at + 2 + length));
      at += 2 + length;
    }
    return units;
  };
  const sps = readUnits(record[at++] & 0x1f);
  if (at >= record.length) fail("missing PPS count");
  const pps = readUnits(record[at++]);
  return { sps, pps, lengthSize };
}

/** RFC 6381 codec string from the first SPS, e.g. "avc1.42E01F" (Baseline, constrained, level 3.1). */
export function avcCodecString(sps: Uint8Array, sampleEntry: "avc1" | "avc3" = "avc1"): string {
  if (sps.length < 4) throw new Error("SPS too short for a codec string");
  const hex = (byte: number) => byte.toString(16).toUpperCase().padStart(2, "0");
  return `${sampleEntry}.${hex(sps[1])}${hex(sps[2])}${hex(sps[3])}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two configs describe the same stream (same size and byte-identical parameter sets). */
export function sameCodecConfig(a: VideoCodecConfig, b: VideoCodecConfig): boolean {
  const sameList = (x: Uint8Array[], y: Uint8Array[]) => x.length === y.length && x.every((u, i) => sameBytes(u, y[i]));
  return a.width === b.width && a.height === b.height && sameList(a.sps, b.sps) && sameList(a.pps, b.pps);
}
