// Builds a Teleport SSH recording (session.start, print…, session.end) with the recording module's own
// encoder, the way a Teleport node would have written it.
import { encodeOneOf } from "../../src/recording/eventCodec.ts";
import { type AuditEvent, EventType, blankMetadata } from "../../src/recording/eventTypes.ts";
import { encodePart } from "../../src/recording/protostream.ts";
import { type TerminalSize, terminalResizeEvent } from "../../src/recording/terminalResize.ts";

export interface SshRecordingSpec {
  sessionId: string;
  user: string;
  login: string;
  host: string;
  startMs: number;
  /** Output chunks and their delay (ms since the first chunk). */
  chunks: Array<{ delayMs: number; data: Uint8Array }>;
  /** Terminal resizes, each recorded right after output chunk `afterChunk`. */
  resizes?: Array<{ afterChunk: number; size: TerminalSize }>;
  /** Events per part (default: all in one part). */
  eventsPerPart?: number;
}

export function sshRecordingEvents(spec: SshRecordingSpec): AuditEvent[] {
  const who = {
    user: spec.user, login: spec.login, sessionId: spec.sessionId, serverNamespace: "default", serverId: "node-1",
    serverHostname: spec.host, serverAddr: "10.1.2.3:3022", serverLabels: {}, localAddr: "10.1.2.3:3022",
    remoteAddr: "192.0.2.7:50000", protocol: "ssh",
  };
  const printStart = spec.startMs + 100;
  const lastDelay = spec.chunks.at(-1)?.delayMs ?? 0;
  const endMs = printStart + lastDelay + 50;
  const events: AuditEvent[] = [
    {
      ...blankMetadata(), ...who, index: 0, time: new Date(spec.startMs), id: "start-1", code: "T2000I", clusterName: "teleport.example",
      type: EventType.SessionStart, terminalSize: "120:40", initialCommand: [], sessionRecording: "node",
    },
  ];
  let offset = 0;
  spec.chunks.forEach((chunk, i) => {
    events.push({
      ...blankMetadata(), index: events.length, time: new Date(printStart + chunk.delayMs), clusterName: "teleport.example",
      type: EventType.SessionPrint, chunkIndex: i, data: chunk.data, bytes: chunk.data.length, delayMs: chunk.delayMs, offset,
    });
    offset += chunk.data.length;
    for (const resize of spec.resizes ?? []) {
      if (resize.afterChunk !== i) continue;
      const event = terminalResizeEvent(who, resize.size);
      Object.assign(event, { index: events.length, time: new Date(printStart + chunk.delayMs + 1), id: `resize-${i}`, clusterName: "teleport.example" });
      events.push(event);
    }
  });
  events.push({
    ...blankMetadata(), ...who, index: events.length, time: new Date(endMs), id: "end-1", code: "T2004I", clusterName: "teleport.example",
    type: EventType.SessionEnd, enhancedRecording: false, interactive: true, participants: [spec.user],
    startTime: new Date(spec.startMs), endTime: new Date(endMs), initialCommand: [], sessionRecording: "node",
  });
  return events;
}

export function encodeRecording(events: readonly AuditEvent[], eventsPerPart = events.length): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < events.length; i += eventsPerPart) parts.push(encodePart(events.slice(i, i + eventsPerPart).map(encodeOneOf)));
  return new Uint8Array(Buffer.concat(parts));
}

export function buildSshRecording(spec: SshRecordingSpec): Uint8Array<ArrayBuffer> {
  return encodeRecording(sshRecordingEvents(spec), spec.eventsPerPart);
}

/** Terminal-like output with escape sequences and bytes that are not valid UTF-8. */
export function terminalChunks(count: number, seed = 1): Array<{ delayMs: number; data: Uint8Array }> {
  const chunks: Array<{ delayMs: number; data: Uint8Array }> = [];
  let delay = 0;
  for (let i = 0; i < count; i++) {
    const text = new TextEncoder().encode(`\x1b[32m$\x1b[0m line ${i} of seed ${seed}\r\n`);
    const data = new Uint8Array(text.length + 2);
    data.set(text);
    data[text.length] = 0xff;
    data[text.length + 1] = (i * 37 + seed) & 0xff;
    chunks.push({ delayMs: delay, data });
    delay += 20 + ((i * 13 + seed) % 7) * 10;
  }
  return chunks;
}
