// The evidence half of `deskreel verify`: a recording's signature, hash chain and stored objects checked by the
// server (GET /v1/recordings/:id/verify), in the data dir, or for files given on the command line against
// their manifest (and chain), with the key given by --key or, failing that, the one the manifest names.
import { readFileSync } from "node:fs";
import { toApiVerify, type VerifyBody } from "../api/evidence.ts";
import { loadConfig } from "../config.ts";
import type { ObjectName } from "../evidence/manifest.ts";
import { parseManifest } from "../evidence/manifest.ts";
import { parsePublicKey, publicKeyInfo, SigningKey } from "../evidence/signingKey.ts";
import { type EvidenceKeys, type ObjectReader, verifyEvidence } from "../evidence/verify.ts";
import { errorMessage } from "../errorMessage.ts";
import { blobKeys } from "../storage/sessionKeys.ts";
import { UsageError } from "./args.ts";
import { type CliContext, closeSource, openSource } from "./context.ts";

/** A recording named by id: the server's report, or one made from the data dir with its own key. */
export async function evidenceOfId(id: string, ctx: CliContext): Promise<VerifyBody> {
  const source = await openSource(ctx);
  try {
    if (source.mode === "server") return (await source.api.json(`/v1/recordings/${encodeURIComponent(id)}/verify`)) as VerifyBody;
    const row = await source.data.catalog.getRecording(id);
    const key = SigningKey.existing(source.data.dataDir, loadConfig({ ...ctx.env, DESKREEL_DATA: source.data.dataDir }).signingKey);
    const trusted = key === null ? null : { key: parsePublicKey(key.info.publicKey), keyId: key.keyId };
    return toApiVerify(await verifyEvidence(source.data.store, id, blobKeys(id), { trusted, live: row?.status === "live" }));
  } finally {
    await closeSource(source);
  }
}

export interface FileEvidence {
  manifest: string | null;
  chain: string | null;
  video: string | null;
  key: string | null;
}

/** A recording file checked against a manifest and/or chain file; null when neither is given. */
export async function evidenceOfFile(recording: string, files: FileEvidence, sessionIdHint: string | null): Promise<VerifyBody | null> {
  if (files.manifest === null && files.chain === null) return null;
  const read = (path: string) => {
    try {
      return new Uint8Array(readFileSync(path));
    } catch (err) {
      throw new UsageError(`cannot read ${path}: ${errorMessage(err)}`);
    }
  };
  const manifestBytes = files.manifest === null ? null : read(files.manifest);
  let id = sessionIdHint;
  if (manifestBytes !== null) {
    try {
      id = parseManifest(manifestBytes).manifest.sessionId;
    } catch {
      // verify names the manifest's problem; the recording's own session id is used meanwhile
    }
  }
  if (id === null) throw new UsageError("the recording's session id is unknown: give its --manifest");
  const keys: EvidenceKeys = { ...blobKeys(id) };
  const paths = new Map<string, string>([[keys.recording, recording]]);
  if (files.chain !== null) paths.set(keys.chain, files.chain);
  if (files.manifest !== null) paths.set(keys.manifest, files.manifest);
  if (files.video !== null) paths.set(keys.video, files.video);
  const reader: ObjectReader = {
    get: async (key) => (paths.has(key) ? read(paths.get(key) as string) : null),
    size: async (key) => (paths.has(key) ? Bun.file(paths.get(key) as string).size : null),
    stream: (key, start, end) => Bun.file(paths.get(key) as string).slice(start, end).stream(),
  };
  const only: ObjectName[] = ["recording"];
  if (files.chain !== null) only.push("chain");
  if (files.video !== null) only.push("video");
  const trusted = files.key === null ? null : trustedKey(files.key);
  return toApiVerify(await verifyEvidence(reader, id, keys, { trusted, live: false, only }));
}

/** --key: a PEM file, PEM text or the base64 raw key (as GET /v1/signing-key gives it). */
function trustedKey(text: string) {
  let value = text;
  if (!text.includes("-----BEGIN") && !/^[A-Za-z0-9+/]{43}=$/.test(text)) value = readFileSync(text, "utf8");
  try {
    const key = parsePublicKey(value.trim());
    return { key, keyId: publicKeyInfo(key).keyId };
  } catch (err) {
    throw new UsageError(`--key: not an Ed25519 public key (${errorMessage(err)})`);
  }
}

/** The evidence lines of verify's report. */
export function evidenceLines(e: VerifyBody): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const signed = e.state === "sealed" ? `signed manifest (key ${e.key_id ?? "?"}, ${e.signed_at ?? "?"})` : e.state === "open" ? "hash chain only, no manifest yet" : "not signed";
  lines.push(["evidence", `${signed}${e.imported ? ", imported" : ""}`]);
  if (e.state !== "none") {
    lines.push(["chain", `${e.chain.verified_parts} of ${e.chain.parts} part(s) verified, covering ${e.chain.covered_bytes} of ${e.chain.recording_bytes} bytes`]);
  }
  for (const o of e.objects) lines.push(["object", `${o.name.padEnd(9)} ${o.status}${o.actual ? ` (${o.actual.bytes} bytes, sha256 ${o.actual.sha256.slice(0, 16)}…)` : ""}`]);
  for (const p of e.problems) lines.push(["MISMATCH", `${p.object}${p.part === null ? "" : ` part ${p.part}`}: ${p.message}`]);
  for (const n of e.notes) lines.push(["note", n]);
  const verdict = e.verdict === "ok" ? (e.state === "open" ? "OK up to the last stored part" : "OK") : e.verdict === "unsigned" ? "UNSIGNED (recorded before signing, or no evidence given)" : `FAILED: ${e.problems.length} mismatch(es)`;
  lines.push(["integrity", verdict]);
  return lines;
}
