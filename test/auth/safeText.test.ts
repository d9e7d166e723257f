import { describe, expect, test } from "bun:test";
import { escapeControlChars, withoutServerPaths } from "../../src/safeText.ts";

describe("log line escaping", () => {
  test("CR, LF, tab, escape sequences, C1 controls and line separators become visible escapes", () => {
    expect(escapeControlChars("a\r\nb\tc\u001b[31md\u0085e\u2028f\u0000")).toBe("a\\r\\nb\\tc\\x1b[31md\\x85e\\u2028f\\x00");
    expect(escapeControlChars("Ärger – ok \\ DOMAIN\\user")).toBe("Ärger – ok \\ DOMAIN\\user");
  });
});

describe("server paths in API messages", () => {
  test("absolute paths keep only their file name; URLs, blob keys and relative paths stay", () => {
    expect(withoutServerPaths("ENOSPC: no space left on device, write '/var/lib/deskreel/blobs/video/x/live.mp4'"))
      .toBe("ENOSPC: no space left on device, write '…/live.mp4'");
    expect(withoutServerPaths('cannot append to blob "video/x/live.mp4"')).toBe('cannot append to blob "video/x/live.mp4"');
    expect(withoutServerPaths("see http://127.0.0.1:8080/v1/recordings/x")).toBe("see http://127.0.0.1:8080/v1/recordings/x");
    expect(withoutServerPaths("at read (/work/src/storage/fileStore.ts:12:3)")).toBe("at read (…/fileStore.ts:12:3)");
  });
});
