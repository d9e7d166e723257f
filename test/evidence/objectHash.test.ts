// Hashing a stored object (what sealing and verifying do at every session end) shares the main thread: a
// file read from the page cache completes every read at once, and without turns for the event loop a
// 30 MB video held timers, sockets and HTTP requests back until its last byte (measured: a timer due at
// 10 ms fired at 89 ms, when the hash was done).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashObject } from "../../src/evidence/objectHash.ts";
import { FileStore } from "../../src/storage/fileStore.ts";

const SIZE = 30 * 1024 * 1024;
let root: string;
let store: FileStore;
let content: Uint8Array;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "deskreel-hash-"));
  store = new FileStore(root);
  content = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i += 4096) content[i] = (i * 2654435761) >>> 24;
  await store.put("video/big.mp4", content);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test("the digest is the SHA-256 of the whole object, and its size", async () => {
  const digest = await hashObject(store, "video/big.mp4");
  expect(digest?.bytes).toBe(SIZE);
  expect(digest?.sha256).toBe(new Bun.CryptoHasher("sha256").update(content).digest("hex"));
  expect(await hashObject(store, "video/none.mp4")).toBeNull();
});

test("timers fire while a large object is hashed, not after it", async () => {
  const order: string[] = [];
  const timers = [1, 2, 3].map((ms) => setTimeout(() => order.push(`timer ${ms}`), ms));
  await hashObject(store, "video/big.mp4").then(() => order.push("hashed"));
  timers.forEach(clearTimeout);
  // Hashing 30 MB takes tens of ms on any machine this runs on; every timer comes due long before that.
  expect(order.indexOf("hashed")).toBeGreaterThan(0);
  expect(order[0]).toStartWith("timer");
});
