// The hash chain of a recording being written: wraps the recording's AppendHandle so that every part, once
// stored, is hashed, chained onto the previous one, signed, and appended as one line to the chain object.
// A live recording is so provable up to its last stored part. The chain never holds the recording back: its
// lines are written behind the parts, and a chain that cannot be stored is logged, not fatal.
import type { AppendHandle } from "../storage/blobStore.ts";
import { ChainBuilder, type LinkSigner } from "./chainLink.ts";
import { errorMessage } from "../errorMessage.ts";

/** Chain lines waiting for storage past this are dropped (the chain then shows a gap and verify says so). */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
const RETRY_MS = 1000;

export interface ChainStats {
  parts: number;
  /** Time spent hashing and signing on this thread, ms (the bench reads it). */
  busyMs: number;
  /** Chain lines that never reached storage. */
  droppedLines: number;
}

export class ChainedAppendHandle implements AppendHandle {
  private readonly builder: ChainBuilder;
  private stored = 0;
  private pending = "";
  private writing: Promise<void> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private failedOnce = false;
  readonly stats: ChainStats = { parts: 0, busyMs: 0, droppedLines: 0 };

  constructor(
    private readonly inner: AppendHandle,
    private readonly chain: AppendHandle,
    private readonly sessionId: string,
    signer: LinkSigner,
    private readonly log: (line: string) => void,
  ) {
    this.builder = new ChainBuilder(sessionId, signer);
  }

  get key(): string {
    return this.inner.key;
  }

  get size(): number {
    return this.inner.size;
  }

  async append(data: Uint8Array): Promise<void> {
    await this.inner.append(data);
    // Appends are applied in call order, so this part's offset is the bytes stored before it.
    const offset = this.stored;
    this.stored += data.length;
    this.addLink(data, offset);
  }

  async close(): Promise<void> {
    await this.inner.close();
    await this.flushed();
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    if (this.pending.length > 0) {
      this.stats.droppedLines += this.pending.split("\n").length - 1;
      this.log(`session ${this.sessionId}: hash chain closed with ${this.stats.droppedLines} line(s) not stored`);
      this.pending = "";
    }
    await this.chain.close();
  }

  async abort(): Promise<void> {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    this.pending = "";
    await this.inner.abort();
    await this.chain.abort();
  }

  private addLink(data: Uint8Array, offset: number): void {
    const started = performance.now();
    const line = this.builder.add(data, offset);
    this.stats.parts++;
    this.stats.busyMs += performance.now() - started;
    if (this.pending.length > MAX_PENDING_BYTES) {
      this.stats.droppedLines++;
      return;
    }
    this.pending += `${JSON.stringify(line)}\n`;
    this.write();
  }

  /** One chain append at a time; what arrives meanwhile goes in the next. */
  private write(): void {
    if (this.writing !== null || this.retry !== null || this.pending.length === 0) return;
    const text = this.pending;
    this.pending = "";
    this.writing = this.chain.append(new TextEncoder().encode(text)).then(
      () => {
        this.writing = null;
        if (this.failedOnce) this.log(`session ${this.sessionId}: hash chain stored again`);
        this.failedOnce = false;
        this.write();
      },
      (err: unknown) => {
        this.writing = null;
        this.pending = text + this.pending;
        if (!this.failedOnce) this.log(`session ${this.sessionId}: hash chain not stored (${errorMessage(err)}); retrying`);
        this.failedOnce = true;
        this.retry = setTimeout(() => {
          this.retry = null;
          this.write();
        }, RETRY_MS);
      },
    );
  }

  /** Resolves once the lines so far are stored, or the store failed them (then they wait in `pending`). */
  private async flushed(): Promise<void> {
    for (let i = 0; i < 50 && (this.writing !== null || (this.pending.length > 0 && this.retry === null)); i++) {
      this.write();
      if (this.writing !== null) await this.writing;
    }
    // A failing chain store gets a few more tries at close, then the rest is reported as dropped.
    for (let i = 0; i < 3 && this.pending.length > 0; i++) {
      if (this.retry !== null) clearTimeout(this.retry);
      this.retry = null;
      await Bun.sleep(RETRY_MS / 4);
      this.write();
      if (this.writing !== null) await this.writing;
    }
  }
}
