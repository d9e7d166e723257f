import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blobResponse } from "../../src/http/blobResponse.ts";
import type { BlobStore } from "../../src/storage/blobStore.ts";
import { FileStore } from "../../src/storage/fileStore.ts";

const dir = mkdtempSync(join(tmpdir(), "blob-response-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
const file = new FileStore(dir);
await file.put("video/x/video.mp4", bytes);
// The same store seen without its response bodies: every byte goes through stream().
const streamed: BlobStore = Object.assign(Object.create(file) as FileStore, { responseBody: undefined });
const options = { contentType: "video/mp4", etag: '"e"', immutable: true };

async function served(store: BlobStore, range?: string) {
  const request = new Request("http://x/v", { headers: range ? { range } : {} });
  const res = (await blobResponse(store, "video/x/video.mp4", request, options))!;
  return { status: res.status, length: res.headers.get("content-length"), type: res.headers.get("content-type"), body: new Uint8Array(await res.arrayBuffer()) };
}

describe("blobResponse", () => {
  for (const [name, range, start, end] of [
    ["whole", undefined, 0, 300_000],
    ["closed range", "bytes=1000-1999", 1000, 2000],
    ["open range (a player's seek)", "bytes=123457-", 123_457, 300_000],
    ["suffix", "bytes=-10", 299_990, 300_000],
  ] as const) {
    test(`${name}: a file store's own body and the stream give the same bytes and headers`, async () => {
      const direct = await served(file, range);
      const viaStream = await served(streamed, range);
      expect(direct.status).toBe(range ? 206 : 200);
      expect(direct.body).toEqual(bytes.subarray(start, end));
      expect(direct.length).toBe(String(end - start));
      expect(direct.type).toBe("video/mp4");
      expect(viaStream).toEqual(direct);
    });
  }
  test("a missing object is null, not a body", async () => {
    expect(await blobResponse(file, "video/none/video.mp4", new Request("http://x/v"), options)).toBeNull();
  });
});
