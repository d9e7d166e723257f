// Bounded loss for a live S3 object. Multipart parts need ≥ 5 MiB, which a quiet desktop takes half a
// minute or more to gather, and an unfinished multipart upload is invisible to readers. So besides the
// parts, every byte appended reaches the bucket within `intervalMs` as a small whole object, a "piece":
//   <prefix>.pieces/<key>/<offset, 15 digits>   holding the bytes [offset, offset + size) of the object.
// Pieces are written one after another, each starting where the last stored one ended (a failed PUT
// leaves its bytes for the next piece, so the pieces stay contiguous). Once multipart parts cover a
// piece's bytes it is deleted; when the object completes, all of its pieces go. If the writer dies (its
// disk with it), assembleAbandoned() in s3Recover.ts rebuilds the object from the stored parts plus the
// pieces after them: at most `intervalMs` plus one PUT's time of the session is lost.
import { errorMessage } from "../errorMessage.ts";
import type { S3Requests } from "./s3Requests.ts";

/** Piece objects live under this first segment, which no store key may use (keys never start with "."). */
export const PIECES_SEGMENT = ".pieces";
const OFFSET_DIGITS = 15;

/** The bucket prefix of an object's pieces. */
export function piecesPrefix(keyPrefix: string, key: string): string {
  return `${keyPrefix}${PIECES_SEGMENT}/${key}/`;
}

export function pieceObjectKey(keyPrefix: string, key: string, offset: number): string {
  return piecesPrefix(keyPrefix, key) + String(offset).padStart(OFFSET_DIGITS, "0");
}

/** The byte offset a piece object key starts at, or null for a key that is not a piece. */
export function pieceOffset(objectKey: string): number | null {
  const m = /\/(\d{15})$/.exec(objectKey);
  return m ? Number(m[1]) : null;
}

/** Requests and bytes one object's pieces cost (benchmarks read these). */
export interface PieceStats {
  puts: number;
  putBytes: number;
  deletes: number;
  failures: number;
}

interface StoredPiece {
  objectKey: string;
  end: number;
}

export class PieceShipper {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Offset of the first byte not yet in a stored piece. */
  #shippedTo = 0;
  /** Bytes [0, partsEnd) are in stored multipart parts. */
  #partsEnd = 0;
  #stored: StoredPiece[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly requests: S3Requests,
    private readonly keyPrefix: string,
    private readonly key: string,
    private readonly intervalMs: number,
    /** Totals, shared by all the objects of one store. */
    private readonly stats: PieceStats,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Bytes appended to the object (in order); they are shipped within intervalMs. */
  add(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    this.#arm();
  }

  // Unref'd: a pending piece never keeps a process alive (close() ships everything anyway).
  #arm(): void {
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#ship();
    }, this.intervalMs);
    this.#timer.unref?.();
  }

  /** Offset up to which the bucket holds the object (parts and pieces), as far as this writer knows. */
  get shippedTo(): number {
    return this.#shippedTo;
  }

  // Pieces are cut and stored one at a time, in the chain, so each starts where the last stored one ended.
  #ship(): void {
    this.#chain = this.#chain.then(() => this.#shipPending());
  }

  async #shipPending(): Promise<void> {
    if (this.#pendingBytes === 0 || this.#closed) return;
    const all = new Uint8Array(this.#pendingBytes);
    let at = 0;
    for (const chunk of this.#pending) {
      all.set(chunk, at);
      at += chunk.length;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    // Bytes that multipart parts already hold need no piece.
    const skip = Math.min(all.length, Math.max(0, this.#partsEnd - this.#shippedTo));
    const offset = this.#shippedTo + skip;
    const body = all.subarray(skip);
    this.#shippedTo = offset;
    if (body.length === 0) return;
    const objectKey = pieceObjectKey(this.keyPrefix, this.key, offset);
    try {
      await this.requests.putObject(objectKey, body);
      this.stats.puts++;
      this.stats.putBytes += body.length;
      this.#stored.push({ objectKey, end: offset + body.length });
      this.#shippedTo = offset + body.length;
      if (this.#partsEnd >= this.#shippedTo) await this.#dropCovered(); // a part overtook this piece
    } catch (err) {
      // Keep the bytes for the next piece (same offset), so the pieces never leave a hole.
      this.stats.failures++;
      this.#pending.unshift(body);
      this.#pendingBytes += body.length;
      this.#arm();
      this.log(`storing a piece of "${this.key}" failed (retried): ${errorMessage(err)}`);
    }
  }

  /** Multipart parts now hold bytes [0, partsEnd): the pieces wholly inside are no longer needed. */
  partsStored(partsEnd: number): void {
    this.#partsEnd = Math.max(this.#partsEnd, partsEnd);
    this.#chain = this.#chain.then(() => this.#dropCovered());
  }

  async #dropCovered(): Promise<void> {
    const covered = this.#stored.filter((p) => p.end <= this.#partsEnd);
    if (covered.length === 0) return;
    this.#stored = this.#stored.filter((p) => p.end > this.#partsEnd);
    await this.#delete(covered.map((p) => p.objectKey));
  }

  /** The object is complete (or given up): stop shipping and delete every piece. */
  async finish(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#chain;
    const all = this.#stored.map((p) => p.objectKey);
    this.#stored = [];
    await this.#delete(all);
  }

  async #delete(objectKeys: string[]): Promise<void> {
    if (objectKeys.length === 0) return;
    try {
      await this.requests.deleteObjects(objectKeys);
      this.stats.deletes += Math.ceil(objectKeys.length / 1000);
    } catch (err) {
      // Left-over pieces cost storage only; recovery ignores pieces that parts cover.
      this.log(`deleting pieces of "${this.key}" failed: ${errorMessage(err)}`);
    }
  }
}
