// Reads the finished MP4's sample table with a few range requests (only the moov box, wherever it is in the file),
// for exact frame stepping and for the idle stretches that "skip idle" jumps over.
import { readBoxHeader } from "../../../src/video/mp4/boxReader.ts";
import { sampleTable, type SampleTable } from "../lib/mp4.ts";

const FIRST_READ = 64 * 1024;
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

async function readRange(url: string, start: number, endInclusive: number): Promise<Uint8Array> {
  const res = await fetch(url, { headers: { range: `bytes=${start}-${endInclusive}` }, credentials: "same-origin" });
  if (res.status !== 206 && res.status !== 200) throw new Error(`range read failed: ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  // A server that ignores Range sends everything from 0.
  return res.status === 200 ? bytes.subarray(start, endInclusive + 1) : bytes;
}

export async function loadSampleTable(url: string): Promise<SampleTable | null> {
  const head = await readRange(url, 0, FIRST_READ - 1);
  let at = 0;
  for (let hop = 0; hop < 16; hop++) {
    const header = at + 16 <= head.length ? head.subarray(at, at + 16) : await readRange(url, at, at + 15);
    if (header.length < 8) return null;
    const box = readBoxHeader(header, 0);
    if (!box || box.end - box.start < box.headerSize) return null;
    const size = box.end - box.start;
    if (box.type === "moov") {
      if (size > MAX_MOOV_BYTES) return null;
      const moov = at + size <= head.length ? head.subarray(at, at + size) : await readRange(url, at, at + size - 1);
      return sampleTable(moov);
    }
    if (box.type === "moof") return null; // fragmented: no single sample table
    at += size;
  }
  return null;
}
