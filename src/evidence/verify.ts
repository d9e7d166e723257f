// Verifies a recording's evidence: the manifest's signature, the hash chain's links and signatures, every
// part of the recording against its link, and every stored object against the manifest. It names what does
// not match: which object and, for the recording, which part. A live recording (no manifest yet) is verified
// up to its last chained part.
import type { KeyObject } from "node:crypto";
import { errorMessage } from "../errorMessage.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import { canonicalJson, type Manifest, type ObjectName, OBJECT_NAMES, parseManifest } from "./manifest.ts";
import { checkChain } from "./chainFile.ts";
import { hashObject, hashObjectParts, type ObjectDigest } from "./objectHash.ts";
import { parsePublicKey, signatureValid } from "./signingKey.ts";

export type EvidenceObject = ObjectName | "manifest";

export interface VerifyProblem {
  object: EvidenceObject;
  /** The recording's part (or the chain's line) at fault, when it is one part. */
  part: number | null;
  message: string;
}

export interface ObjectCheck {
  name: ObjectName;
  key: string;
  /** ok; mismatch (bytes differ from the manifest); missing (listed, not stored); unlisted (stored, not in the manifest). */
  status: "ok" | "mismatch" | "missing" | "unlisted" | "unchecked";
  expected: { bytes: number; sha256: string } | null;
  actual: { bytes: number; sha256: string } | null;
}

export interface VerifyReport {
  id: string;
  /** ok: everything checks; failed: something does not match (see problems); unsigned: no manifest and no chain. */
  verdict: "ok" | "failed" | "unsigned";
  /** sealed: a manifest covers the finished recording; open: only the chain (live, or not yet sealed). */
  state: "sealed" | "open" | "none";
  imported: boolean;
  keyId: string | null;
  signedAt: string | null;
  chain: { parts: number; verifiedParts: number; head: string | null; coveredBytes: number; recordingBytes: number };
  objects: ObjectCheck[];
  problems: VerifyProblem[];
  /** What is worth knowing but not wrong (a live recording's part still being stored). */
  notes: string[];
}

/** Reads objects by their blob keys: a store, or a stand-in for files given on the command line. */
export type ObjectReader = Pick<BlobStore, "get" | "size" | "stream">;

export interface EvidenceKeys {
  recording: string;
  chain: string;
  manifest: string;
  video: string;
  thumbnail: string;
}

export interface VerifyOptions {
  /** The key signatures must verify with (the server's); null: the manifest's own key, reported as untrusted. */
  trusted: { key: KeyObject; keyId: string } | null;
  /** The recording is live: bytes after its last chained part are expected (a part being stored). */
  live: boolean;
  /** Check only these of the manifest's objects (files given on the command line); default all. */
  only?: readonly ObjectName[];
}

export async function verifyEvidence(reader: ObjectReader, id: string, keys: EvidenceKeys, options: VerifyOptions): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const notes: string[] = [];
  const report: VerifyReport = {
    id, verdict: "ok", state: "none", imported: false, keyId: options.trusted?.keyId ?? null, signedAt: null,
    chain: { parts: 0, verifiedParts: 0, head: null, coveredBytes: 0, recordingBytes: 0 }, objects: [], problems, notes,
  };

  // The manifest first: it says which key signed and what the objects must be.
  let manifest: Manifest | null = null;
  let key = options.trusted?.key ?? null;
  const manifestBytes = await reader.get(keys.manifest);
  if (manifestBytes !== null) {
    report.state = "sealed";
    try {
      const signed = parseManifest(manifestBytes);
      manifest = signed.manifest;
      report.imported = manifest.imported === true;
      report.signedAt = manifest.signedAt;
      if (key === null) {
        key = parsePublicKey(manifest.key.publicKey);
        report.keyId = manifest.key.keyId;
        notes.push(`no trusted key given: checked with the key the manifest names (${manifest.key.keyId}), which proves integrity, not origin`);
      } else if (manifest.key.keyId !== options.trusted?.keyId) {
        problems.push({ object: "manifest", part: null, message: `signed by key ${manifest.key.keyId}, not by this server's key ${options.trusted?.keyId}` });
      }
      if (manifest.sessionId !== id) problems.push({ object: "manifest", part: null, message: `the manifest is for session ${manifest.sessionId}, not ${id}` });
      if (!signatureValid(key, canonicalJson(manifest), signed.signature)) {
        problems.push({ object: "manifest", part: null, message: "the manifest's signature does not verify: the manifest was altered or signed by another key" });
      }
    } catch (err) {
      problems.push({ object: "manifest", part: null, message: errorMessage(err) });
    }
  }
  if (key === null) {
    report.verdict = "unsigned";
    return finish(report);
  }

  // The chain, then the recording's parts against it.
  const chainBytes = await reader.get(keys.chain);
  const recordingSize = (await reader.size(keys.recording)) ?? 0;
  report.chain.recordingBytes = recordingSize;
  let recordingDigest: ObjectDigest | null = null;
  if (chainBytes === null) {
    if (manifest?.chain) problems.push({ object: "chain", part: null, message: "the manifest lists a hash chain, but it is not stored" });
    if (manifest === null) {
      report.verdict = "unsigned";
      return finish(report);
    }
    recordingDigest = await hashObject(reader as BlobStore, keys.recording);
  } else {
    if (report.state === "none") report.state = "open";
    const chain = checkChain(chainBytes, id, key);
    report.chain.parts = chain.lines.length;
    report.chain.verifiedParts = chain.verifiedParts;
    report.chain.head = chain.head;
    for (const p of chain.problems) problems.push({ object: "chain", part: p.part, message: p.message });
    const hashed = await hashObjectParts(reader as BlobStore, keys.recording, chain.lines);
    recordingDigest = hashed?.whole ?? null;
    chain.lines.forEach((line, i) => {
      const actual = hashed?.parts[i] ?? null;
      const range = `bytes ${line.offset}–${line.offset + line.length - 1}`;
      if (actual === null) problems.push({ object: "recording", part: line.part, message: `part ${line.part} (${range}) is missing: the recording is shorter than its chain` });
      else if (actual !== line.sha256) problems.push({ object: "recording", part: line.part, message: `part ${line.part} (${range}) does not match its hash in the chain: it was altered` });
    });
    const last = chain.lines.at(-1);
    report.chain.coveredBytes = last ? last.offset + last.length : 0;
    const tail = recordingSize - report.chain.coveredBytes;
    if (tail > 0) {
      if (options.live && manifest === null) notes.push(`${tail} byte(s) after the last chained part: a part being stored now`);
      else problems.push({ object: "recording", part: chain.lines.length, message: `${tail} byte(s) after the last chained part ${chain.lines.length - 1} are not in the chain (appended afterwards)` });
    }
    if (manifest?.chain && (manifest.chain.parts !== chain.lines.length || manifest.chain.head !== last?.link)) {
      problems.push({
        object: "chain", part: null,
        message: `the chain has ${chain.lines.length} part(s) ending in ${last?.link.slice(0, 16) ?? "nothing"}…, the manifest says ${manifest.chain.parts} ending in ${manifest.chain.head.slice(0, 16)}…`,
      });
    }
    if (manifest === null && !options.live) notes.push("no manifest yet: verified by the hash chain only (the recording's video is still being made, or the session was interrupted)");
  }

  // Every object the manifest lists, and any stored one it does not.
  if (manifest !== null) {
    for (const name of OBJECT_NAMES) {
      const objectKey = keys[name];
      if (options.only && !options.only.includes(name)) {
        if (manifest.objects[name]) notes.push(`${name} not checked: not given`);
        continue;
      }
      const expected = manifest.objects[name] ?? null;
      const actual = name === "recording" ? recordingDigest : await hashObject(reader as BlobStore, objectKey);
      const check: ObjectCheck = {
        name, key: objectKey, status: "ok",
        expected: expected && { bytes: expected.bytes, sha256: expected.sha256 },
        actual: actual && { bytes: actual.bytes, sha256: actual.sha256 },
      };
      if (expected === null && actual === null) continue;
      if (expected === null) {
        check.status = "unlisted";
        notes.push(`${name} (${objectKey}) is stored but not covered by the manifest`);
      } else if (actual === null) {
        check.status = "missing";
        problems.push({ object: name, part: null, message: `${name} (${objectKey}) is listed in the manifest but not stored` });
      } else if (actual.sha256 !== expected.sha256 || actual.bytes !== expected.bytes) {
        check.status = "mismatch";
        problems.push({
          object: name, part: null,
          message: `${name} (${objectKey}) does not match the manifest: ${actual.bytes} bytes with SHA-256 ${actual.sha256.slice(0, 16)}…, expected ${expected.bytes} bytes with ${expected.sha256.slice(0, 16)}…`,
        });
      }
      report.objects.push(check);
    }
  } else if (recordingDigest !== null) {
    report.objects.push({ name: "recording", key: keys.recording, status: "unchecked", expected: null, actual: { bytes: recordingDigest.bytes, sha256: recordingDigest.sha256 } });
  }
  return finish(report);
}

function finish(report: VerifyReport): VerifyReport {
  if (report.problems.length > 0) report.verdict = "failed";
  return report;
}
