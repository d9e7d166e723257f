// A one-pass summary of a recording file: what it holds, how long it lasts and what is wrong with it.
// Used by `deskreel verify` and by import (which refuses a file whose summary has an `error`).
import {
  type AuditEvent,
  EventType,
  type SessionEndEvent,
  type SessionStartEvent,
  type WindowsDesktopSessionEndEvent,
  type WindowsDesktopSessionStartEvent,
  sessionIdOf,
  teleportType,
} from "./eventTypes.ts";
import { ProtostreamError, type ProtostreamSource, readProtostream, type ReadOptions } from "./protostream.ts";
import { TdpCodecError } from "../tdp/errors.ts";
import { decodeFrame } from "../tdp/eras.ts";
import { MessageType } from "../tdp/messages.ts";
import { wireName } from "../tdp/tdpb/proto.ts";

const CLIENT_SCREEN_SPEC = 1;
const RDP_CONNECTION_ACTIVATED = 31;
const MAX_LISTED_PROBLEMS = 50;

export interface RecordingSummary {
  kind: "desktop" | "ssh" | "unknown";
  /** From the start event, else from the first event that names one. */
  sessionId: string | null;
  /** Events read, duplicates skipped. */
  events: number;
  /** Events by Teleport type string. */
  counts: Record<string, number>;
  /** desktop.recording events by TDP message type (first byte of the message). */
  tdpMessageCounts: Record<number, number>;
  /** desktop.recording events holding TDPB (field 4), by Envelope payload (`png_frame`, `fast_path_pdu`, ...). */
  tdpbMessageCounts: Record<string, number>;
  firstTime: Date | null;
  lastTime: Date | null;
  /** Playback length: the delay of the last desktop.recording / print event. */
  durationMs: number;
  /** The first screen size: ClientScreenSpec or RDPConnectionActivated (legacy), or their TDPB counterparts. */
  screen: { width: number; height: number } | null;
  start: WindowsDesktopSessionStartEvent | SessionStartEvent | null;
  end: WindowsDesktopSessionEndEvent | SessionEndEvent | null;
  parts: number;
  bytes: number;
  skippedEvents: number;
  outOfOrderEvents: number;
  /** Highest event index read (-1 before any): with `events`, how many indexes are missing (events lost while recording). */
  lastIndex: number;
  truncatedAt: number | null;
  /** Human-readable findings, worst first is not guaranteed; capped at 50. */
  problems: string[];
  /** Set when the file is malformed; everything above describes what came before the bad byte. */
  error: ProtostreamError | null;
}

class SummaryBuilder {
  readonly summary: RecordingSummary = {
    kind: "unknown", sessionId: null, events: 0, counts: {}, tdpMessageCounts: {}, tdpbMessageCounts: {}, firstTime: null, lastTime: null,
    durationMs: 0, screen: null, start: null, end: null, parts: 0, bytes: 0, skippedEvents: 0, outOfOrderEvents: 0, lastIndex: -1,
    truncatedAt: null, problems: [], error: null,
  };
  private lastDelay = -1;
  private lastTimeMs = -Infinity;
  private previousIndex = -1;
  private foreignSessionIds = new Set<string>();
  // Repeated findings are counted and reported once, with the first event that showed them.
  private readonly repeated = new Map<string, { first: number; count: number }>();

  /** Counts a TDPB message by payload and takes the screen size from it; an undecodable one is a finding. */
  private tdpb(index: number, bytes: Uint8Array): void {
    const s = this.summary;
    try {
      const frame = decodeFrame(bytes);
      const name = frame.tdpb ? wireName(frame.tdpb.kind) : "invalid";
      s.tdpbMessageCounts[name] = (s.tdpbMessageCounts[name] ?? 0) + 1;
      for (const m of frame.messages) {
        if (s.screen === null && (m.type === MessageType.ClientScreenSpec || m.type === MessageType.RDPConnectionActivated)) {
          s.screen = { width: m.width, height: m.height };
        }
      }
    } catch (err) {
      s.tdpbMessageCounts.invalid = (s.tdpbMessageCounts.invalid ?? 0) + 1;
      this.note(`undecodable TDPB message (${err instanceof TdpCodecError ? err.reason : String(err)})`, index);
    }
  }

  private note(kind: string, index: number): void {
    const seen = this.repeated.get(kind);
    if (seen === undefined) this.repeated.set(kind, { first: index, count: 1 });
    else seen.count++;
  }

  problem(text: string): void {
    if (this.summary.problems.length < MAX_LISTED_PROBLEMS) this.summary.problems.push(text);
  }

  add(event: AuditEvent): void {
    const s = this.summary;
    if (s.events === 0 && event.index !== 0) this.problem(`first event has index ${event.index}, not 0`);
    if (this.previousIndex >= 0 && event.index !== this.previousIndex + 1) {
      this.problem(`index gap: ${event.index - this.previousIndex - 1} event(s) missing between ${this.previousIndex} and ${event.index}`);
    }
    this.previousIndex = event.index;
    s.events++;
    const type = teleportType(event);
    s.counts[type] = (s.counts[type] ?? 0) + 1;

    const timeMs = event.time.getTime();
    if (s.firstTime === null) s.firstTime = event.time;
    if (timeMs < this.lastTimeMs) this.note("time earlier than an event before it", event.index);
    this.lastTimeMs = Math.max(this.lastTimeMs, timeMs);
    s.lastTime = new Date(this.lastTimeMs);

    const sid = sessionIdOf(event);
    if (sid !== "") {
      if (s.sessionId === null) s.sessionId = sid;
      else if (sid !== s.sessionId && !this.foreignSessionIds.has(sid)) {
        this.foreignSessionIds.add(sid);
        this.problem(`event ${event.index} belongs to another session (${sid})`);
      }
    }

    switch (event.type) {
      case EventType.DesktopRecording:
        s.kind = "desktop";
        this.delay(event.index, event.delayMs);
        if (event.message !== null && event.message.length > 0) {
          const tdpType = event.message[0] ?? 0;
          s.tdpMessageCounts[tdpType] = (s.tdpMessageCounts[tdpType] ?? 0) + 1;
          if (tdpType === CLIENT_SCREEN_SPEC && s.screen === null && event.message.length >= 9) {
            const view = new DataView(event.message.buffer, event.message.byteOffset, event.message.byteLength);
            s.screen = { width: view.getUint32(1), height: view.getUint32(5) };
          }
          if (tdpType === RDP_CONNECTION_ACTIVATED && s.screen === null && event.message.length >= 9) {
            const view = new DataView(event.message.buffer, event.message.byteOffset, event.message.byteLength);
            s.screen = { width: view.getUint16(5), height: view.getUint16(7) };
          }
        } else if (event.tdpbMessage !== null) {
          this.tdpb(event.index, event.tdpbMessage);
        } else {
          this.problem(`event ${event.index}: desktop.recording without a message`);
        }
        break;
      case EventType.SessionPrint:
        s.kind = "ssh";
        this.delay(event.index, event.delayMs);
        break;
      case EventType.WindowsDesktopSessionStart:
      case EventType.SessionStart:
        s.kind = event.type === EventType.SessionStart ? "ssh" : "desktop";
        if (s.start !== null) this.problem(`event ${event.index}: a second session start`);
        else {
          s.start = event;
          s.sessionId = event.sessionId;
        }
        break;
      case EventType.WindowsDesktopSessionEnd:
      case EventType.SessionEnd:
        if (s.end !== null) this.problem(`event ${event.index}: a second session end`);
        s.end = event;
        break;
      default:
        if (s.end !== null && s.end.index < event.index && event.type !== "unknown") {
          this.problem(`event ${event.index} (${type}) comes after the session end`);
        }
    }
  }

  private delay(index: number, delayMs: number): void {
    if (delayMs < this.lastDelay) this.note("playback delay below the previous one", index);
    if (this.lastDelay < 0 && delayMs !== 0) this.problem(`first playback event has delay ${delayMs} ms, not 0`);
    this.lastDelay = Math.max(this.lastDelay, delayMs);
    this.summary.durationMs = this.lastDelay;
  }

  finish(): RecordingSummary {
    const s = this.summary;
    for (const [kind, { first, count }] of this.repeated) this.problem(`${count} event(s) with a ${kind} (first: event ${first})`);
    if (s.error !== null) this.problem(s.error.message);
    if (s.truncatedAt !== null) this.problem(`the last part is incomplete (cut at byte ${s.truncatedAt}); read up to there`);
    if (s.events === 0 && s.error === null) this.problem("no events");
    if (s.events > 0 && s.start === null) this.problem("no session start event");
    if (s.events > 0 && s.end === null) this.problem("no session end event (the session was interrupted or is still live)");
    if (s.skippedEvents > 0) this.problem(`${s.skippedEvents} duplicate event(s) skipped`);
    return s;
  }
}

/** Event indexes the recording skips (Teleport numbers events from 0 and keeps a lost one's index). */
export function missingEvents(s: Pick<RecordingSummary, "events" | "lastIndex">): number {
  return Math.max(0, s.lastIndex + 1 - s.events);
}

/** Read a whole recording and summarise it. Never throws for a malformed file: see `error`. */
export async function scanRecording(source: ProtostreamSource, options?: ReadOptions): Promise<RecordingSummary> {
  const builder = new SummaryBuilder();
  const reader = readProtostream(source, options);
  try {
    for await (const event of reader) builder.add(event);
  } catch (err) {
    if (!(err instanceof ProtostreamError)) throw err;
    builder.summary.error = err;
  }
  const stats = reader.stats;
  Object.assign(builder.summary, {
    parts: stats.parts, bytes: stats.bytes, skippedEvents: stats.skippedEvents,
    outOfOrderEvents: stats.outOfOrderEvents, truncatedAt: stats.truncatedAt, lastIndex: stats.lastIndex,
  });
  return builder.finish();
}
