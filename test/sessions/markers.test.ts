import { expect, test } from "bun:test";
import { MarkerTracker } from "../../src/sessions/markers";
import { MessageType, Severity } from "../../src/tdp/messages";

test("the first screen spec is no resize; a changed one is", () => {
  const t = new MarkerTracker();
  expect(t.markerFor({ type: MessageType.ClientScreenSpec, width: 1920, height: 1080 }, 0)).toBeNull();
  expect(t.markerFor({ type: MessageType.ClientScreenSpec, width: 1920, height: 1080 }, 10)).toBeNull();
  expect(t.markerFor({ type: MessageType.ClientScreenSpec, width: 1600, height: 900 }, 500)).toEqual({
    tMs: 500, kind: "resize", detail: "1920×1080 → 1600×900",
  });
});

test("clipboard, alerts, errors and file transfers are marked; pictures and input are not", () => {
  const t = new MarkerTracker();
  expect(t.markerFor({ type: MessageType.ClipboardData, data: new Uint8Array(13) }, 5)?.detail).toBe("clipboard: 13 bytes");
  expect(t.markerFor({ type: MessageType.Alert, message: "disk full", severity: Severity.Warning }, 6)).toEqual({
    tMs: 6, kind: "alert", detail: "warning: disk full",
  });
  expect(t.markerFor({ type: MessageType.Alert, message: "boom", severity: Severity.Error }, 7)?.kind).toBe("error");
  expect(t.markerFor({ type: MessageType.Error, message: "old error" }, 8)?.kind).toBe("error");
  expect(t.markerFor({ type: MessageType.SharedDirectoryAnnounce, directoryId: 2, name: "share" }, 9)?.kind).toBe("file_transfer");
  expect(
    t.markerFor({ type: MessageType.SharedDirectoryWriteRequest, completionId: 1, directoryId: 2, offset: 0n, path: "a.txt", data: new Uint8Array(4) }, 10)?.detail,
  ).toBe("write share/a.txt (4 bytes at 0)");
  expect(t.markerFor({ type: MessageType.MouseMove, x: 1, y: 2 }, 11)).toBeNull();
  expect(t.markerFor({ type: MessageType.PNGFrame, left: 0, top: 0, right: 1, bottom: 1, png: new Uint8Array() }, 12)).toBeNull();
});
