// Tamper-evident recordings on a real server: a recorded session, a live one and an imported one are verified
// through the API; one flipped byte in a stored part, the MP4 or the manifest is found and named.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { openSync, writeSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { recordingOf } from "../support/recordings.ts";
import { sampleRecords, sampleUntil } from "../support/corpus.ts";
import { IngestClient } from "../support/ingestClient.ts";
import { ADMIN_TOKEN, startTestServer, type TestServer, waitFor } from "../support/server.ts";
import { flipByte as flip } from "../support/flipByte.ts";

interface Problem { object: string; part: number | null; message: string }
interface Report {
  verdict: string; state: string; imported: boolean; key_id: string | null;
  chain: { parts: number; verified_parts: number; covered_bytes: number; recording_bytes: number };
  objects: Array<{ name: string; status: string }>; problems: Problem[]; notes: string[];
}
interface ChainLine { part: number; offset: number; length: number }

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.dispose();
});

const blob = (key: string) => join(server.dataDir, "blobs", key);

async function verify(id: string): Promise<Report> {
  return server.json<Report>(`/v1/recordings/${id}/verify`);
}

async function chainLines(id: string): Promise<ChainLine[]> {
  const text = await Bun.file(blob(`evidence/${id}/chain.jsonl`)).text();
  return text.trim().split("\n").map((l) => JSON.parse(l) as ChainLine);
}

async function finished(id: string) {
  return waitFor(`recording ${id} sealed`, async () => {
    const item = await server.json<{ status: string; video: { state: string } }>(`/v1/recordings/${id}`);
    if (item.status === "live" || item.video.state === "encoding") return undefined;
    return (await Bun.file(blob(`evidence/${id}/manifest.json`)).exists()) ? item : undefined;
  }, 60_000);
}

test("the public key is served and the private key is private to the server's user", async () => {
  const key = await server.json<{ algorithm: string; key_id: string; public_key: string; pem: string }>("/v1/signing-key");
  expect(key.algorithm).toBe("Ed25519");
  expect(Buffer.from(key.public_key, "base64").length).toBe(32);
  expect(key.pem).toContain("BEGIN PUBLIC KEY");
  expect(statSync(join(server.dataDir, "signing-key.pem")).mode & 0o777).toBe(0o600);
  expect(server.logs.some((l) => l.includes(key.public_key) && l.includes(key.key_id))).toBe(true);
  expect((await fetch(`${server.url}/v1/signing-key`)).status).toBe(401);
});

describe("a recorded desktop session", () => {
  const id = crypto.randomUUID();
  beforeAll(async () => {
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-EVIDENCE", user: "alice", session_id: id });
    await client.replay(sampleUntil(12_000), 40);
    await client.close();
    await finished(id);
  });

  test("verifies: signed manifest, every part chained, every object as listed", async () => {
    const report = await verify(id);
    expect(report.problems).toEqual([]);
    expect(report.verdict).toBe("ok");
    expect(report.state).toBe("sealed");
    expect(report.imported).toBe(false);
    expect(report.chain.parts).toBeGreaterThan(2);
    expect(report.chain.verified_parts).toBe(report.chain.parts);
    expect(report.chain.covered_bytes).toBe(report.chain.recording_bytes);
    expect(Object.fromEntries(report.objects.map((o) => [o.name, o.status]))).toEqual({ recording: "ok", chain: "ok", video: "ok", thumbnail: "ok" });
  });

  test("one flipped byte in a stored part names the recording and that part", async () => {
    const lines = await chainLines(id);
    const part = lines[Math.floor(lines.length / 2)];
    const offset = part.offset + Math.floor(part.length / 2);
    flip(blob(`recordings/${id}.tar`), offset);
    try {
      const report = await verify(id);
      expect(report.verdict).toBe("failed");
      const partProblems = report.problems.filter((p) => p.object === "recording" && p.part !== null);
      expect(partProblems.map((p) => p.part)).toEqual([part.part]);
      expect(partProblems[0].message).toContain(`part ${part.part}`);
      expect(report.objects.find((o) => o.name === "recording")?.status).toBe("mismatch");
      expect(report.problems.every((p) => p.object === "recording")).toBe(true);
    } finally {
      flip(blob(`recordings/${id}.tar`), offset);
    }
    expect((await verify(id)).verdict).toBe("ok");
  });

  test("one flipped byte in the MP4 names the video", async () => {
    const path = blob(`video/${id}/video.mp4`);
    const offset = Math.floor(statSync(path).size * 0.7);
    flip(path, offset);
    try {
      const report = await verify(id);
      expect(report.verdict).toBe("failed");
      expect(report.problems.map((p) => p.object)).toEqual(["video"]);
      expect(report.problems[0].message).toContain("video");
    } finally {
      flip(path, offset);
    }
  });

  test("one changed byte in the manifest breaks its signature", async () => {
    const path = blob(`evidence/${id}/manifest.json`);
    const text = await Bun.file(path).text();
    // A digit of the recorded duration, changed to another digit: the JSON stays valid, only its content changes.
    const offset = text.indexOf('"durationMs": ') + '"durationMs": '.length;
    const digit = text[offset];
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from(String((Number(digit) + 1) % 10)), 0, 1, offset);
    try {
      const report = await verify(id);
      expect(report.verdict).toBe("failed");
      expect(report.problems).toHaveLength(1);
      expect(report.problems[0].object).toBe("manifest");
      expect(report.problems[0].message).toContain("signature");
    } finally {
      writeSync(fd, Buffer.from(digit), 0, 1, offset);
      closeSync(fd);
    }
    const mangled = 2; // inside the JSON punctuation: the manifest no longer parses
    flip(path, mangled);
    try {
      const report = await verify(id);
      expect(report.problems.map((p) => p.object)).toContain("manifest");
    } finally {
      flip(path, mangled);
    }
  });

  test("an edited chain line names the chain and its part", async () => {
    const path = blob(`evidence/${id}/chain.jsonl`);
    const text = await Bun.file(path).text();
    const second = text.indexOf("\n") + 1;
    const offset = text.indexOf('"sha256":"', second) + '"sha256":"'.length;
    const before = text[offset];
    // Swap a hex digit for another hex digit, so the line still parses.
    const fd = openSync(path, "r+");
    writeSync(fd, Buffer.from(before === "a" ? "b" : "a"), 0, 1, offset);
    try {
      const report = await verify(id);
      expect(report.verdict).toBe("failed");
      expect(report.problems.some((p) => p.object === "chain" && p.part === 1)).toBe(true);
      expect(report.chain.verified_parts).toBe(1);
    } finally {
      writeSync(fd, Buffer.from(before), 0, 1, offset);
      closeSync(fd);
    }
  });
});

describe("a live session", () => {
  test("verifies up to its last stored part while it runs, and a flipped byte in it is found", async () => {
    const id = crypto.randomUUID();
    const client = await IngestClient.connect(server.url, ADMIN_TOKEN, { desktop: "WIN-LIVE-EVIDENCE", user: "bob", session_id: id });
    try {
      await client.replay(sampleUntil(4_000), 40);
      const report = await waitFor("a live chain of 3 parts", async () => {
        const r = await verify(id);
        return r.chain.parts >= 3 && r.chain.covered_bytes === r.chain.recording_bytes ? r : undefined;
      });
      expect(report.state).toBe("open");
      expect(report.verdict).toBe("ok");
      expect(report.chain.verified_parts).toBe(report.chain.parts);
      const lines = await chainLines(id);
      const last = lines[report.chain.parts - 1];
      flip(blob(`recordings/${id}.tar`), last.offset + last.length - 1);
      const broken = await verify(id);
      expect(broken.verdict).toBe("failed");
      expect(broken.problems.filter((p) => p.object === "recording").map((p) => p.part)).toContain(last.part);
      flip(blob(`recordings/${id}.tar`), last.offset + last.length - 1);
      expect((await verify(id)).verdict).toBe("ok");
    } finally {
      await client.close();
    }
    await finished(id);
    const sealed = await verify(id);
    expect(sealed.state).toBe("sealed");
    expect(sealed.verdict).toBe("ok");
  });
});

describe("an imported recording", () => {
  test("is signed at import, verifies and says it was imported; a flipped byte names its part", async () => {
    const id = crypto.randomUUID();
    const bytes = await recordingOf(sampleRecords().slice(0, 200), id, "WIN-IMPORTED");
    const res = await fetch(`${server.url}/v1/recordings/import`, { method: "POST", headers: server.auth, body: bytes as Uint8Array<ArrayBuffer> });
    expect(res.status).toBe(201);
    await finished(id);
    // Signed at import, then again once the video job has made the MP4.
    const report = await waitFor("the manifest re-signed over the video", async () => {
      const r = await verify(id);
      return r.objects.some((o) => o.name === "video" && o.status !== "unlisted") ? r : undefined;
    });
    expect(report.problems).toEqual([]);
    expect(report.verdict).toBe("ok");
    expect(report.imported).toBe(true);
    expect(report.objects.find((o) => o.name === "video")?.status).toBe("ok");
    const lines = await chainLines(id);
    expect(lines.length).toBeGreaterThan(1);
    const part = lines[1];
    flip(blob(`recordings/${id}.tar`), part.offset + 30);
    try {
      const broken = await verify(id);
      expect(broken.problems.filter((p) => p.part !== null).map((p) => [p.object, p.part])).toEqual([["recording", 1]]);
    } finally {
      flip(blob(`recordings/${id}.tar`), part.offset + 30);
    }
  });
});

describe("deskreel verify", () => {
  test("names the tampered part of a recording by id, and checks a file against its manifest and key (exit 1 on a mismatch)", async () => {
    const { runCli } = await import("../cli/cliHarness.ts");
    const id = crypto.randomUUID();
    const bytes = await recordingOf(sampleRecords().slice(0, 120), id, "WIN-CLI");
    expect((await fetch(`${server.url}/v1/recordings/import`, { method: "POST", headers: server.auth, body: bytes as Uint8Array<ArrayBuffer> })).status).toBe(201);
    await finished(id);
    const cli = (args: string[]) => runCli(args, { server: server.url, token: ADMIN_TOKEN });
    const ok = await cli(["verify", id]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("imported");
    const lines = await chainLines(id);
    flip(blob(`recordings/${id}.tar`), lines[1].offset + 40);
    try {
      const bad = await cli(["verify", id]);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toContain("recording part 1:");
      const key = await server.json<{ public_key: string }>("/v1/signing-key");
      const file = await cli(["verify", blob(`recordings/${id}.tar`), "--manifest", blob(`evidence/${id}/manifest.json`), "--chain", blob(`evidence/${id}/chain.jsonl`), "--key", key.public_key]);
      expect(file.code).toBe(1);
      expect(file.stdout).toContain("recording part 1:");
    } finally {
      flip(blob(`recordings/${id}.tar`), lines[1].offset + 40);
    }
  });
});
