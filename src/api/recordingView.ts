// How a catalog row looks in the API (the shapes are the schemas in recordings.ts). Kept apart from the schemas
// so the CLI can use it without loading Elysia.
import { lostEvents, type Marker, type RecordingRow, type VideoState } from "../catalog/types.ts";
import { withoutServerPaths } from "../safeText.ts";
import type { ApiMarker, RecordingDetail, RecordingItem } from "./recordings.ts";

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The contract knows three video states. A desktop recording whose video has not started yet ("none") is
 * reported as "encoding" (it is on its way), unless the recording itself failed; SSH recordings say "none".
 */
function apiVideoState(row: RecordingRow): VideoState {
  if (row.videoState !== "none") return row.videoState;
  if (row.kind === "ssh") return "none"; // terminal sessions play as text, they have no video
  return row.status === "failed" ? "failed" : "encoding";
}

export function toApiItem(row: RecordingRow): RecordingItem {
  return {
    id: row.id,
    kind: row.kind,
    user: row.user,
    login: row.login,
    desktop_name: row.desktopName,
    desktop_addr: row.desktopAddr,
    cluster: row.cluster,
    start: rfc3339(row.startMs),
    end: row.endMs === null ? null : rfc3339(row.endMs),
    // Whole milliseconds, as the schema says (a live session's progress can come from media timestamps).
    duration_ms: Math.round(row.durationMs),
    status: row.status,
    width: row.width,
    height: row.height,
    video: { state: apiVideoState(row), duration_ms: Math.round(row.videoDurationMs), bytes: row.videoBytes },
    markers: { ...row.markerCounts },
    participants: [...row.participants],
    // Failure reasons often quote storage errors: no server file paths in API answers.
    error: row.error === null ? null : withoutServerPaths(row.error),
    lost_events: lostEvents(row),
    gaps: lostEvents(row) > 0,
    legal_hold: row.legalHold === null ? null : { by: row.legalHold.by, at: rfc3339(row.legalHold.atMs), reason: row.legalHold.reason },
  };
}

export function toApiMarker(marker: Marker): ApiMarker {
  return { t_ms: Math.round(marker.tMs), kind: marker.kind, detail: marker.detail };
}

export function toApiDetail(row: RecordingRow, markers: Marker[]): RecordingDetail {
  const { markers: counts, ...item } = toApiItem(row);
  return { ...item, markers: markers.map(toApiMarker), marker_counts: counts };
}
