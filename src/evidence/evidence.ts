// The server's evidence service: chains a live recording's parts as they are stored, signs a manifest when a
// recording is finished (or imported, or recovered after a crash), and verifies both on request.
import { BoundedWork } from "../boundedWork.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { RecordingRow } from "../catalog/types.ts";
import { errorMessage } from "../errorMessage.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import type { AppendHandle, BlobStore } from "../storage/blobStore.ts";
import { ChainBuilder, partRanges } from "./chainLink.ts";
import { checkChain } from "./chainFile.ts";
import { ChainedAppendHandle } from "./chainWriter.ts";
import { canonicalJson, type Manifest, MANIFEST_FORMAT, type ObjectName, OBJECT_NAMES, sessionOf, type SignedManifest } from "./manifest.ts";
import { hashObject } from "./objectHash.ts";
import { parsePublicKey, type SigningKey } from "./signingKey.ts";
import { verifyEvidence, type VerifyReport } from "./verify.ts";

export interface EvidenceDeps {
  key: SigningKey;
  store: BlobStore;
  catalog: Catalog;
  log: (line: string) => void;
}

export class Evidence {
  private readonly publicKey;
  /** Manifests written and failed (a failure is logged; the recording is not touched). */
  readonly stats = { sealed: 0, sealFailures: 0 };
  /**
   * Verifications read and hash every stored byte of a recording: two run at a time, a few wait, more are
   * refused (BusyError). Requests for a recording already being verified share that verification.
   */
  readonly verifications = new BoundedWork(2, 8, "recordings are being verified already; try again in a moment");
  private readonly verifying = new Map<string, Promise<VerifyReport>>();

  constructor(private readonly deps: EvidenceDeps) {
    this.publicKey = parsePublicKey(deps.key.info.publicKey);
  }

  get key(): SigningKey {
    return this.deps.key;
  }

  /** The live recording's append handle, every part of it hashed into the chain once stored. */
  async openRecording(sessionId: string): Promise<ChainedAppendHandle> {
    const keys = blobKeys(sessionId);
    const recording = await this.deps.store.openAppend(keys.recording);
    let chain: AppendHandle;
    try {
      chain = await this.deps.store.openAppend(keys.chain);
    } catch (err) {
      await recording.abort();
      throw err;
    }
    return new ChainedAppendHandle(recording, chain, sessionId, this.deps.key, this.deps.log);
  }

  /** An imported recording's chain, made from its parts at once (it was stored whole). */
  async chainImported(sessionId: string, bytes: Uint8Array): Promise<void> {
    const builder = new ChainBuilder(sessionId, this.deps.key);
    const lines = partRanges(bytes).map((r) => JSON.stringify(builder.add(bytes.subarray(r.offset, r.offset + r.length), r.offset)));
    await this.deps.store.put(blobKeys(sessionId).chain, new TextEncoder().encode(lines.map((l) => `${l}\n`).join("")));
  }

  /**
   * Writes the recording's signed manifest over what is stored now. Never throws: a manifest that cannot be
   * written is logged and counted, and verify then reports the recording as not sealed.
   */
  async seal(sessionId: string): Promise<boolean> {
    try {
      const row = await this.deps.catalog.getRecording(sessionId);
      if (!row) throw new Error("not in the catalog");
      const signed = await this.sign(row);
      await this.deps.store.put(blobKeys(sessionId).manifest, new TextEncoder().encode(`${JSON.stringify(signed, null, 2)}\n`));
      this.stats.sealed++;
      return true;
    } catch (err) {
      this.stats.sealFailures++;
      this.deps.log(`session ${sessionId}: manifest not written: ${errorMessage(err)}`);
      return false;
    }
  }

  /** Checks the recording's signature, chain and stored objects (throws BusyError when too many run). */
  verify(row: RecordingRow): Promise<VerifyReport> {
    const live = row.status === "live";
    const id = `${row.id}\n${live}`;
    const running = this.verifying.get(id);
    if (running) return running;
    const keys = blobKeys(row.id);
    const report = this.verifications
      .run(() => verifyEvidence(this.deps.store, row.id, keys, { trusted: { key: this.publicKey, keyId: this.deps.key.keyId }, live }))
      .finally(() => this.verifying.delete(id));
    this.verifying.set(id, report);
    return report;
  }

  private async sign(row: RecordingRow): Promise<SignedManifest> {
    const keys = blobKeys(row.id);
    const objects: Manifest["objects"] = {};
    for (const name of OBJECT_NAMES) {
      const digest = await hashObject(this.deps.store, keys[name as ObjectName]);
      if (digest) objects[name] = digest;
    }
    const chainBytes = await this.deps.store.get(keys.chain);
    const chain = chainBytes === null ? null : checkChain(chainBytes, row.id, this.publicKey);
    const last = chain?.lines.at(-1);
    if (chain && chain.problems.length > 0) this.deps.log(`session ${row.id}: sealing a hash chain with problems: ${chain.problems[0]?.message}`);
    const { algorithm, keyId, publicKey } = this.deps.key.info;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT, sessionId: row.id, imported: row.meta.imported === true, signedAt: new Date().toISOString(),
      session: sessionOf(row), objects, chain: chain && last ? { parts: chain.lines.length, head: last.link } : null,
      key: { algorithm, keyId, publicKey },
    };
    return { manifest, signature: this.deps.key.sign(canonicalJson(manifest)) };
  }
}
