// Free-form text tags in a moov: the QuickTime metadata layout (meta → hdlr 'mdta', keys, ilst) that
// ffprobe shows under format tags by key name and that ffmpeg writes with -movflags use_metadata_tags.
import type { BoxWriter } from "./boxes.ts";

const textEncoder = new TextEncoder();
/** Well-known type 1 in a data atom: UTF-8 text. */
const DATA_TYPE_UTF8 = 1;

/** Writes `meta` with one entry per tag, in the given order. Keys are reverse-DNS names (com.example.key). */
export function writeMetadataTags(w: BoxWriter, tags: ReadonlyArray<readonly [string, string]>): void {
  if (tags.length === 0) return;
  w.box("meta", (meta) => {
    // QuickTime's meta is a plain box here (no version/flags), which is what ffmpeg reads and writes
    meta.fullBox("hdlr", 0, 0, (b) => b.u32(0).fourcc("mdta").zeros(12).u8(0));
    meta.fullBox("keys", 0, 0, (b) => {
      b.u32(tags.length);
      for (const [key] of tags) {
        const bytes = textEncoder.encode(key);
        b.u32(bytes.length + 8).fourcc("mdta").bytes(bytes);
      }
    });
    meta.box("ilst", (ilst) => {
      tags.forEach(([, value], index) => {
        const bytes = textEncoder.encode(value);
        // an item's type is its 1-based index into keys
        ilst.u32(bytes.length + 24).u32(index + 1);
        ilst.u32(bytes.length + 16).fourcc("data").u32(DATA_TYPE_UTF8).u32(0).bytes(bytes);
      });
    });
  });
}
