// Import a Teleport protostream recording: check the whole file first (a malformed one is refused with
// the byte offset and nothing is listed), store it as it is, list it, then make its video from the
// events as fast as the encoder pool allows.
import type { Marker, NewRecording } from "../catalog/types.ts";
import { readProtostream } from "../recording/protostream.ts";
import { missingEvents, scanRecording } from "../recording/scan.ts";
import { decodeFrame, type DesktopFrame, recordedPayload, recordedPictures } from "../tdp/eras.ts";
import { MessageType, PICTURE_TYPES } from "../tdp/messages.ts";
import { type Catalog, RecordingExistsError } from "../catalog/catalog.ts";
import type { Evidence } from "../evidence/evidence.ts";
import type { BlobStore } from "../storage/blobStore.ts";
import type { EncodeWindow } from "../video/compose/scheduler.ts";
import { FramePlan } from "../video/framePlan.ts";
import { blobKeys, isValidSessionId } from "../storage/sessionKeys.ts";
import { MarkerTracker, ProblemMarkers } from "./markers.ts";
import { parseTerminalSize, resizeTerminalSize, type TerminalSize } from "../recording/terminalResize.ts";
import { finishSessionVideo, importedSessionVideo, type SessionVideoDeps } from "./sessionVideo.ts";

/** What an import needs from the server. */
export interface ImportDeps {
  catalog: Catalog;
  store: BlobStore;
  config: { maxFps: number; keyframeMs: number; videoWorkers: number };
  /** Live sessions: an import must not take the id of one. */
  live: { has(id: string): boolean };
  sessionDeps: SessionVideoDeps;
  log: (line: string) => void;
  evidence: Evidence;
}

export class ImportError extends Error {
  constructor(message: string, readonly status: number, readonly offset: number | null = null) {
    super(message);
    this.name = "ImportError";
  }
}

interface ImportSummary {
  row: NewRecording;
  markers: Marker[];
  hasPictures: boolean;
}


/** Checks the whole file and gathers what the catalogue lists. Throws ImportError on bad input. */
async function summarize(bytes: Uint8Array, plan: FramePlan): Promise<ImportSummary> {
  const scan = await scanRecording(bytes, { allowTruncated: false });
  if (scan.error) throw new ImportError(`not a valid protostream recording: ${scan.error.message}`, 400, scan.error.offset);
  if (scan.events === 0 || scan.firstTime === null) throw new ImportError("the file holds no events", 400, 0);
  if (scan.kind === "unknown") throw new ImportError("the file holds neither a desktop nor an SSH session", 400);
  const sid = scan.sessionId ?? "";
  if (!isValidSessionId(sid)) throw new ImportError(`the recording's session id ${JSON.stringify(sid)} is missing or not usable`, 400);

  const { start, end } = scan;
  const participants = new Set<string>(end?.participants ?? []);
  if (start?.user) participants.add(start.user);
  const startMs = start ? start.time.getTime() : scan.firstTime.getTime();
  const { markers, firstPlaybackMs, hasPictures } = await timeline(bytes, plan);
  // The recording lasts from its first recorded message to the session's end (or its last message).
  const endMs = end ? end.endTime.getTime() : null;
  const durationMs = Math.max(scan.durationMs, endMs !== null && firstPlaybackMs !== null ? endMs - firstPlaybackMs : 0);
  const desktop = start?.type === "windows.desktop.session.start" ? start : null;
  const ssh = start?.type === "session.start" ? start : null;
  return {
    row: {
      id: sid, kind: scan.kind, user: start?.user || "unknown",
      login: desktop ? desktop.windowsUser || desktop.login : (ssh?.login ?? ""),
      desktopName: desktop ? desktop.desktopName : (ssh?.serverHostname ?? ""),
      desktopAddr: desktop ? desktop.desktopAddr : (ssh?.serverAddr ?? ""),
      cluster: start?.clusterName ?? "", startMs, endMs: endMs ?? startMs + durationMs, durationMs, status: "complete",
      width: scan.screen?.width ?? 0, height: scan.screen?.height ?? 0,
      videoState: scan.kind === "desktop" ? "encoding" : "none", participants: [...participants], meta: { imported: true, ...(missingEvents(scan) > 0 ? { lostEvents: missingEvents(scan) } : {}) },
    },
    markers,
    hasPictures,
  };
}

/**
 * Markers and the time of the first recorded message, from the TDP messages (desktop) or resizes (SSH).
 * Picture times go to `plan`, which splits the video's encoding across the workers.
 */
async function timeline(bytes: Uint8Array, plan: FramePlan): Promise<{ markers: Marker[]; firstPlaybackMs: number | null; hasPictures: boolean }> {
  const tracker = new MarkerTracker();
  const markers: Marker[] = [];
  let firstPlaybackMs: number | null = null;
  let hasPictures = false;
  let terminal: TerminalSize | null = null;
  let lastDelayMs = 0;
  let clipboard: { atMs: number | null; markedFromMessage: boolean } = { atMs: null, markedFromMessage: false };
  for await (const e of readProtostream(bytes)) {
    if (e.type === "session.start") terminal = parseTerminalSize(e.terminalSize);
    const resized = resizeTerminalSize(e);
    if (resized) {
      // A resize carries no delay: its place is its time after the first output (0 before any).
      const tMs = firstPlaybackMs === null ? 0 : Math.max(0, e.time.getTime() - firstPlaybackMs);
      if (terminal && (terminal.cols !== resized.cols || terminal.rows !== resized.rows)) {
        markers.push({ tMs, kind: "resize", detail: `${terminal.cols}×${terminal.rows} → ${resized.cols}×${resized.rows}` });
      }
      terminal = resized;
    }
    if (e.type === "desktop.clipboard.send" || e.type === "desktop.clipboard.receive") {
      // Recordings keep the clipboard message without its data (or, from Teleport, not at all); the
      // audit event beside it has the length. A message that kept its data was marked already.
      if (!clipboard.markedFromMessage) markers.push({ tMs: clipboard.atMs ?? lastDelayMs, kind: "clipboard", detail: `clipboard: ${e.length} bytes` });
      clipboard = { atMs: null, markedFromMessage: false };
      continue;
    }
    if (e.type !== "desktop.recording" && e.type !== "print") continue;
    firstPlaybackMs ??= e.time.getTime();
    lastDelayMs = e.delayMs;
    const payload = e.type === "desktop.recording" ? recordedPayload(e) : null;
    if (!payload) continue;
    let frame: DesktopFrame;
    try {
      frame = decodeFrame(payload); // legacy TDP (field 2) or TDPB (field 4), in one message model
    } catch {
      continue; // an undecodable message is skipped by the player too; the file itself is sound
    }
    if (frame.messages.some((m) => PICTURE_TYPES.has(m.type))) {
      hasPictures = true;
      plan.picture(e.delayMs, rdpBytesOf(frame));
    }
    for (const msg of frame.messages) {
      if (msg.type === MessageType.ClipboardData) {
        clipboard = { atMs: e.delayMs, markedFromMessage: msg.data.length > 0 };
        if (msg.data.length === 0) continue;
      }
      const marker = tracker.markerFor(msg, e.delayMs);
      if (marker) markers.push(marker);
    }
  }
  return { markers, firstPlaybackMs, hasPictures };
}

/**
 * Checks the whole file, stores it in the blob store and lists it. Returns its session id and whether its video
 * is still to be made (encodeStoredImport, on this node or, as a job, on any node that shares the store).
 */
export async function storeImport(services: ImportDeps, bytes: Uint8Array): Promise<{ id: string; encode: boolean }> {
  const { catalog, store } = services;
  const { maxFps, keyframeMs } = services.config;
  const summary = await summarize(bytes, new FramePlan({ maxFps, keyframeMs }));
  const id = summary.row.id;
  const exists = () => new ImportError(`recording ${id} already exists`, 409);
  // Two imports of one id at once: the first claims it here, before either stores a byte (the catalog's insert
  // is the check between nodes).
  const inFlight = importsInFlight(catalog);
  if (inFlight.has(id)) throw exists();
  inFlight.add(id);
  try {
    if (services.live.has(id) || (await catalog.getRecording(id))) throw exists();
    await store.put(blobKeys(id).recording, bytes);
    await services.evidence.chainImported(id, bytes);
    if (summary.row.kind === "desktop" && !summary.hasPictures) summary.row.videoState = "failed";
    try {
      await catalog.createRecording(summary.row);
    } catch (err) {
      throw err instanceof RecordingExistsError ? exists() : err;
    }
    for (const marker of summary.markers) await catalog.addMarker(id, marker);
    // Signed at import (the recording as received); signed again over the video once it is made.
    await services.evidence.seal(id);
    return { id, encode: summary.row.videoState === "encoding" };
  } finally {
    inFlight.delete(id);
  }
}

/** Ids being imported on this node, per catalog (one per server). */
const inFlightByCatalog = new WeakMap<Catalog, Set<string>>();

/** Bytes of RDP fast-path updates in a recorded frame: the frame plan weighs their decoding by them. */
function rdpBytesOf(frame: DesktopFrame): number {
  let bytes = 0;
  for (const m of frame.messages) if (m.type === MessageType.RDPFastPathPDU) bytes += m.data.length;
  return bytes;
}

function importsInFlight(catalog: Catalog): Set<string> {
  let ids = inFlightByCatalog.get(catalog);
  if (!ids) inFlightByCatalog.set(catalog, (ids = new Set()));
  return ids;
}

/**
 * Makes the video of a stored import (its bytes, or read from the blob store) and lists the outcome. Whatever
 * an earlier, cut-off attempt left of the video is removed first.
 */
export async function encodeStoredImport(services: ImportDeps, id: string, stored?: Uint8Array): Promise<void> {
  const { catalog, store } = services;
  const row = await catalog.getRecording(id);
  if (!row || row.videoState === "ready") return; // deleted meanwhile, or made by an attempt that was not recorded as done
  const keys = blobKeys(id);
  const bytes = stored ?? (await store.get(keys.recording));
  if (!bytes) throw new Error(`recording ${id} is not in the blob store`);
  for (const key of [keys.liveVideo, keys.video]) if ((await store.size(key)) !== null) await store.delete(key);
  if (row.videoState !== "encoding") await catalog.updateRecording(id, { videoState: "encoding" });
  const { maxFps, keyframeMs, videoWorkers } = services.config;
  const plan = new FramePlan({ maxFps, keyframeMs });
  await timeline(bytes, plan);
  await encodeImported(services, id, bytes, row.durationMs, plan.windows(videoWorkers, row.durationMs));
  await services.evidence.seal(id);
}

/** Checks, stores and lists the recording; its video is made here in the background. Returns the session id. */
export async function importRecording(services: ImportDeps, bytes: Uint8Array): Promise<{ id: string; video: Promise<void> }> {
  const { id, encode } = await storeImport(services, bytes);
  return { id, video: encode ? encodeStoredImport(services, id, bytes) : Promise.resolve() };
}

/** Replays the pictures through the encoder pool, as fast as it takes them, one window per worker. */
async function encodeImported(services: ImportDeps, id: string, bytes: Uint8Array, durationMs: number, windows: EncodeWindow[]): Promise<void> {
  const deps = services.sessionDeps;
  const problemMarkers = new ProblemMarkers();
  let badPictures = 0;
  const video = importedSessionVideo(deps, id, windows, (reason, atMs) => {
    badPictures++;
    const marker = problemMarkers.markerFor(reason, atMs ?? 0);
    if (marker) void services.catalog.addMarker(id, marker).catch((err) => services.log(`import ${id}: marker not listed: ${String(err)}`));
  });
  let undecodable = 0;
  try {
    for await (const e of readProtostream(bytes)) {
      if (e.type !== "desktop.recording") continue;
      const payload = recordedPayload(e); // legacy Message (field 2) or TDPBMessage (field 4)
      if (!payload) continue;
      let pictures;
      try {
        pictures = recordedPictures(payload);
      } catch {
        undecodable++; // skipped by the player too (and by the markers pass above)
        continue;
      }
      let ready = true;
      for (const picture of pictures) ready = video.push(e.delayMs, picture) && ready;
      if (!ready) await video.drained();
    }
  } catch (err) {
    services.log(`import ${id}: reading events for the video failed: ${String(err)}`);
  }
  if (undecodable > 0) services.log(`import ${id}: ${undecodable} undecodable picture message(s) left out of the video`);
  await finishSessionVideo(deps, video, durationMs);
  if (badPictures > 0) services.log(`import ${id}: ${badPictures} picture problem(s) skipped in the video`);
}
