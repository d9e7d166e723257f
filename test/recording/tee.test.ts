import { describe, expect, test } from "bun:test";
import { desktopRecordingEvent, sessionPrintEvent } from "../../src/recording/auditWriter.ts";
import { type AuditEvent, EventCode, EventType, blankMetadata } from "../../src/recording/events.ts";
import { AuditTee, reachesAuditLog } from "../../src/recording/tee.ts";
import { MemoryAuditLog } from "./helpers.ts";

const who = { user: "bob", login: "root", sessionId: "sid-9", localAddr: "", remoteAddr: "", protocol: "tdp" };
const clipboard: AuditEvent = {
  ...blankMetadata(), ...who, index: 3, type: EventType.DesktopClipboardSend, code: EventCode.DesktopClipboardSend,
  desktopAddr: "d:1", desktopName: "d", length: 42,
};
const sharedDir: AuditEvent = {
  ...blankMetadata(), ...who, index: 4, type: EventType.DesktopSharedDirectoryStart, code: EventCode.DesktopSharedDirectoryStart,
  success: true, error: "", userMessage: "", desktopAddr: "d:1", desktopName: "d", directoryName: "x", directoryId: 1,
};

describe("AuditTee", () => {
  test("forwards auditable events and never desktop.recording or print", async () => {
    const log = new MemoryAuditLog();
    const tee = new AuditTee(log);
    const recording = desktopRecordingEvent(Uint8Array.of(3, 0, 0, 0, 1, 0, 0, 0, 1));
    const print = sessionPrintEvent(new TextEncoder().encode("top secret output"));
    expect(await tee.forward(recording)).toBe(false);
    expect(await tee.forward(print)).toBe(false);
    expect(await tee.forward(clipboard)).toBe(true);
    expect(await tee.forward(sharedDir)).toBe(true);
    expect(log.entries.map((e) => e.event)).toEqual(["desktop.clipboard.send", "desktop.directory.share"]);
    expect(log.entries[0]).toMatchObject({ ei: 3, sid: "sid-9", length: 42, code: "TDP02I" });
    expect(reachesAuditLog(recording) || reachesAuditLog(print)).toBe(false);
  });

  test("an audit log that fails is counted and logged, not thrown into the recording path", async () => {
    const warnings: string[] = [];
    const tee = new AuditTee({ emit: () => Promise.reject(new Error("database is locked")) }, (m) => warnings.push(m));
    expect(await tee.forward(clipboard)).toBe(false);
    expect(tee.stats()).toEqual({ failures: 1, lastError: "database is locked" });
    expect(warnings[0]).toContain("session sid-9");
  });
});
