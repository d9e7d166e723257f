// The MP4 reader and writer's byte source and sink over blob storage (video/mp4 itself knows no storage).
import type { AppendHandle, BlobStore } from "../storage/blobStore.ts";
import type { ByteSink, RangeReader } from "./mp4/io.ts";

export function storeReader(store: BlobStore, key: string): RangeReader {
  return (start, end) => store.getRange(key, start, end);
}

export function appendHandleSink(handle: AppendHandle): ByteSink {
  return {
    write: (data) => handle.append(data),
    close: () => handle.close(),
    abort: () => handle.abort(),
  };
}
