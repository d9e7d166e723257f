// Per-frame output from h264-mp4-encoder without keeping its MP4 in memory.
//
// The package writes a plain MP4 through mp4v2 into Emscripten's in-memory FS. We redirect the output
// stream's writes to this tap, so nothing accumulates in the FS. Two layers of buffering stand between
// an encoded frame and those writes: mp4v2 collects samples into 1-second chunks (the encoder runs
// with frameRate 1, so each sample is its own chunk), and libc++'s filebuf holds up to 4 KB before
// writing. That last, partial 4 KB is read straight out of the filebuf's put area in WASM memory,
// whose address we learn from the filebuf's own full flushes. Every byte read that way is checked
// against the bytes the filebuf writes later, and at finalize the sample sizes and parameter sets in
// the moov are checked against what we handed out: if the package's internals ever differ, this
// fails loudly instead of producing a wrong video.
import type { HmeRuntime, StreamWrite } from "./hmeRuntime.ts";
import { ByteWindow } from "./byteWindow.ts";
import { errorMessage } from "../../errorMessage.ts";

/** libc++ basic_filebuf's default buffer in this build. */
export const FILEBUF_BYTES = 4096;
const MAX_SAMPLE_BYTES = 64 * 1024 * 1024;

export class Mp4OutputTap {
  /** Offset up to which the filebuf has written bytes out. */
  private flushedEnd: number;
  /** Known bytes from the next unread sample on: flushed ones, then peeked ones (>= flushedEnd, unverified). */
  private readonly known: ByteWindow;
  /** Heap address of the filebuf's put area; null until a full flush shows it. */
  private putArea: number | null = null;
  private nextSample: number | null = null;
  private finalImage: ByteWindow | null = null;
  private fault: string | null = null;
  private readonly takenSizes: number[] = [];
  /** Samples added to the encoder and not taken yet. */
  private untaken = 0;

  /** `headerAt`: the stream position right after initialize(), where the mdat box starts. */
  constructor(
    private readonly runtime: HmeRuntime,
    private readonly headerAt: number,
  ) {
    this.flushedEnd = headerAt;
    this.known = new ByteWindow(headerAt);
  }

  /** The replacement stream write. Must never throw: an exception here aborts the WASM module. */
  readonly write: StreamWrite = (_stream, buffer, offset, length, position) => {
    try {
      if (length > 0) this.onWrite(position, new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length), buffer.byteOffset + offset);
    } catch (e) {
      this.fault ??= `tap: ${errorMessage(e)}`;
    }
    return length;
  };

  /** A problem seen inside a write since the last check, or null. */
  takeFault(): string | null {
    const fault = this.fault;
    this.fault = null;
    return fault;
  }

  /** Sizes of the samples taken in this segment, in order. */
  get sampleSizes(): readonly number[] {
    return this.takenSizes;
  }

  /** Call after each addFrame. */
  sampleAdded(): void {
    this.untaken++;
  }

  /**
   * The AVCC bytes of the next sample, or null when part of it still sits in a filebuf whose put
   * area is unknown (no full flush yet in this segment). Throws when the stream is not what we expect.
   */
  takeSample(): Uint8Array | null {
    if (this.untaken === 0) throw new Error("tap: no sample was added");
    if (this.nextSample === null) {
      const header = this.read(this.headerAt, 8);
      if (!header) return null;
      if (String.fromCharCode(...header.subarray(4, 8)) !== "mdat") throw new Error(`tap: no mdat box at ${this.headerAt}`);
      this.nextSample = this.headerAt + 8;
    }
    const prefix = this.read(this.nextSample, 4);
    if (!prefix) return null;
    const length = new DataView(prefix.buffer, prefix.byteOffset, 4).getUint32(0);
    if (length === 0 || length > MAX_SAMPLE_BYTES) throw new Error(`tap: implausible sample length ${length} at ${this.nextSample}`);
    const sample = this.read(this.nextSample, 4 + length);
    if (!sample) return null;
    const nal = sample[4];
    if ((nal & 0x80) !== 0 || ![1, 5].includes(nal & 0x1f)) throw new Error(`tap: sample at ${this.nextSample} is not a slice NAL (header 0x${nal.toString(16)})`);
    this.nextSample += 4 + length;
    this.takenSizes.push(4 + length);
    this.untaken--;
    this.known.dropBefore(Math.min(this.flushedEnd, this.nextSample));
    return sample;
  }

  /**
   * Runs the encoder's finalize() with writes captured, checks every peeked byte against what was
   * finally written, and returns the samples not taken yet and the moov box.
   */
  finish(finalize: () => void): { samples: Uint8Array[]; moov: Uint8Array } {
    this.finalImage = new ByteWindow(this.flushedEnd);
    try {
      finalize();
    } finally {
      const image = this.finalImage;
      this.finalImage = null;
      this.putArea = null;
      if (image.end > image.start) this.onWrite(image.start, image.view(image.start, image.end - image.start), null);
    }
    const fault = this.takeFault();
    if (fault) throw new Error(fault);
    const samples: Uint8Array[] = [];
    while (this.untaken > 0) {
      const sample = this.takeSample();
      if (!sample) throw new Error("tap: finalize did not write out every sample");
      samples.push(sample);
    }
    const start = this.nextSample ?? this.headerAt + 8;
    const moov = this.read(start, this.flushedEnd - start);
    if (!moov || moov.length < 8 || String.fromCharCode(...moov.subarray(4, 8)) !== "moov") {
      throw new Error(`tap: no moov box after the samples (at ${start})`);
    }
    return { samples, moov };
  }

  /** `address`: where in the heap the bytes came from (null for the replayed final image). */
  private onWrite(position: number, data: Uint8Array, address: number | null): void {
    if (this.finalImage) {
      // finalize() writes the pending samples, then the moov, then patches sizes in both; patches
      // before the sample area (ftyp, mdat size) do not matter here.
      if (position >= this.finalImage.start) this.finalImage.write(position, data);
      return;
    }
    if (position !== this.flushedEnd) throw new Error(`unexpected write of ${data.length} bytes at ${position}, expected ${this.flushedEnd}`);
    const checked = Math.min(this.known.end, position + data.length) - position;
    if (checked > 0) {
      const peeked = this.known.view(position, checked);
      for (let i = 0; i < checked; i++) {
        // The mdat size field is a placeholder until finalize patches it.
        const isMdatSize = position + i >= this.headerAt && position + i < this.headerAt + 4;
        if (peeked[i] !== data[i] && !isMdatSize) {
          throw new Error(`h264-mp4-encoder internals changed: byte ${position + i} read from the filebuf differs from the byte written`);
        }
      }
    }
    this.known.write(position, data);
    this.flushedEnd = position + data.length;
    // A full buffer flush comes from the put area; anything else leaves its address unknown.
    this.putArea = address !== null && data.length === FILEBUF_BYTES ? address : null;
  }

  /** A copy of file bytes [pos, pos + n): known, or peeked from the filebuf, or null if neither. */
  private read(pos: number, n: number): Uint8Array | null {
    const end = pos + n;
    if (end > this.known.end) {
      if (this.putArea === null) return null;
      if (end - this.flushedEnd > FILEBUF_BYTES) {
        throw new Error(`h264-mp4-encoder internals changed: ${end - this.flushedEnd} bytes pending, more than the ${FILEBUF_BYTES}-byte filebuf holds`);
      }
      const from = this.known.end;
      const heap = this.runtime.heap();
      const address = this.putArea + (from - this.flushedEnd);
      this.known.write(from, heap.slice(address, address + (end - from)));
    }
    return this.known.view(pos, n).slice();
  }
}
