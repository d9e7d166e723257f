import { expect, test } from "bun:test";
import { FileStore } from "../../src/storage/fileStore.ts";
import { openBlobStore } from "../../src/storage/openBlobStore.ts";
import { S3Store } from "../../src/storage/s3Store.ts";

test("openBlobStore: files under the data dir, or S3 with credentials", () => {
  const files = openBlobStore({ dataDir: "/var/lib/deskreel", s3: null });
  expect(files).toBeInstanceOf(FileStore);
  expect((files as FileStore).pathOf("recordings/a.tar")).toBe("/var/lib/deskreel/blobs/recordings/a.tar");
  const s3 = openBlobStore({ dataDir: "/tmp/x", s3: { bucket: "b", endpoint: "http://127.0.0.1:9", accessKeyId: "k", secretAccessKey: "s" } });
  expect(s3).toBeInstanceOf(S3Store);
  expect(s3.kind).toBe("s3");
  expect(() => openBlobStore({ dataDir: "/tmp/x", s3: { bucket: "b" } })).toThrow(/S3 bucket b: set DESKREEL_S3_ACCESS_KEY_ID/);
});
