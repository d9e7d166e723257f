// The evidence routes' contract: the server's public signing key, and a recording's verification report
// (GET /v1/recordings/:id/verify). The manifest itself is served as stored (docs/evidence.md).
import { type Static, t } from "elysia";
import type { VerifyReport } from "../evidence/verify.ts";
import { literals } from "./common.ts";

export const SigningKeyBody = t.Object({
  algorithm: t.Literal("Ed25519"),
  key_id: t.String({ description: "first 16 hex digits of SHA-256 over the raw public key; manifests name their key by it" }),
  public_key: t.String({ description: "the raw 32-byte Ed25519 public key, base64" }),
  pem: t.String({ description: "the same key as an SPKI PEM" }),
});
export type SigningKeyBody = Static<typeof SigningKeyBody>;

const OBJECT = literals(["manifest", "recording", "chain", "video", "thumbnail"]);

export const VerifyProblem = t.Object({
  object: OBJECT,
  part: t.Union([t.Integer({ minimum: 0 }), t.Null()], { description: "the recording's part (or the chain's line) at fault, when it is one part" }),
  message: t.String(),
});

export const VerifyObject = t.Object({
  name: literals(["recording", "chain", "video", "thumbnail"]),
  key: t.String({ description: "the object's key in the blob store" }),
  status: literals(["ok", "mismatch", "missing", "unlisted", "unchecked"], {
    description: "mismatch: its bytes differ from the manifest; missing: listed but not stored; unlisted: stored but not in the manifest",
  }),
  expected: t.Union([t.Object({ bytes: t.Integer(), sha256: t.String() }), t.Null()]),
  actual: t.Union([t.Object({ bytes: t.Integer(), sha256: t.String() }), t.Null()]),
});

export const VerifyBody = t.Object({
  id: t.String(),
  verdict: literals(["ok", "failed", "unsigned"], { description: "failed: something does not match (see problems); unsigned: no manifest and no hash chain (recorded before signing existed)" }),
  state: literals(["sealed", "open", "none"], { description: "sealed: a signed manifest covers the finished recording; open: only the hash chain (live, or not sealed yet)" }),
  imported: t.Boolean({ description: "imported from a file and signed at import, not recorded by this server" }),
  key_id: t.Union([t.String(), t.Null()]),
  signed_at: t.Union([t.String({ format: "date-time" }), t.Null()]),
  chain: t.Object({
    parts: t.Integer({ description: "parts listed in the hash chain" }),
    verified_parts: t.Integer({ description: "parts whose links and signatures verify, in an unbroken run from part 0" }),
    head: t.Union([t.String(), t.Null()], { description: "the last verified link, hex" }),
    covered_bytes: t.Integer({ description: "bytes of the recording the chain covers" }),
    recording_bytes: t.Integer({ description: "bytes of the recording stored" }),
  }),
  objects: t.Array(VerifyObject),
  problems: t.Array(VerifyProblem),
  notes: t.Array(t.String()),
});
export type VerifyBody = Static<typeof VerifyBody>;

export function toApiVerify(r: VerifyReport): VerifyBody {
  return {
    id: r.id, verdict: r.verdict, state: r.state, imported: r.imported, key_id: r.keyId, signed_at: r.signedAt,
    chain: {
      parts: r.chain.parts, verified_parts: r.chain.verifiedParts, head: r.chain.head,
      covered_bytes: r.chain.coveredBytes, recording_bytes: r.chain.recordingBytes,
    },
    objects: r.objects, problems: r.problems, notes: r.notes,
  };
}
