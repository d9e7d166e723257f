// The RDP captures under test/fixtures/rdp/ (made by scripts/rdp-captures/make_all.sh): a gzipped .tdpcap of
// TDP 31 + TDP 29 records, and the client's own pictures at a few times (truth/).
import { createCanvas, loadImage } from "@napi-rs/canvas";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { readTdpcap, type TdpcapRecord } from "../../src/tdp/tdpcap";

export const RDP_FIXTURES_DIR = join(import.meta.dir, "../fixtures/rdp");

export interface FixturePdu {
  delayMs: number;
  pdu: Uint8Array;
}

export interface RdpFixture {
  name: string;
  width: number;
  height: number;
  pdus: FixturePdu[];
  truth: { file: string; t_ms: number }[];
}

/** Whether a fixture is there: the office capture is made on demand, not committed. */
export function hasRdpFixture(name: string): boolean {
  return existsSync(join(RDP_FIXTURES_DIR, name, `${name}.tdpcap.gz`));
}

/** A fixture's TDP records as captured (TDP 31, then TDP 29 per PDU), with their delays. */
export function fixtureRecords(name: string): TdpcapRecord[] {
  return readTdpcap(new Uint8Array(gunzipSync(readFileSync(join(RDP_FIXTURES_DIR, name, `${name}.tdpcap.gz`)))));
}

export function readRdpFixture(name: string): RdpFixture {
  const dir = join(RDP_FIXTURES_DIR, name);
  let width = 0;
  let height = 0;
  const pdus: FixturePdu[] = [];
  for (const r of fixtureRecords(name)) {
    const view = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    if (r.data[0] === 31) {
      width = view.getUint16(5);
      height = view.getUint16(7);
    } else if (r.data[0] === 29) {
      pdus.push({ delayMs: r.delayMs, pdu: r.data.subarray(5, 5 + view.getUint32(1)) });
    }
  }
  const truth = JSON.parse(readFileSync(join(dir, "truth", "truth.json"), "utf8")) as { frames: RdpFixture["truth"] };
  return { name, width, height, pdus, truth: truth.frames };
}

/** One of a fixture's truth PNGs as RGBA. */
export async function fixturePicture(name: string, file: string): Promise<Uint8Array> {
  const img = await loadImage(readFileSync(join(RDP_FIXTURES_DIR, name, "truth", file)));
  const ctx = createCanvas(img.width, img.height).getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
