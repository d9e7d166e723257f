// Names and icons of the in-session events shown as markers.
import type { MarkerKind } from "./api.ts";

export const MARKER_LABELS: Record<MarkerKind, { icon: string; one: string; many: string; title: string }> = {
  clipboard: { icon: "clipboard", one: "clipboard", many: "clipboard events", title: "Clipboard" },
  resize: { icon: "resize", one: "screen resize", many: "screen resizes", title: "Resize" },
  alert: { icon: "alert", one: "alert", many: "alerts", title: "Alerts" },
  file_transfer: { icon: "file", one: "file transfer", many: "file transfers", title: "Files" },
};

export function markerLabel(kind: string): { icon: string; one: string; many: string; title: string } {
  return (MARKER_LABELS as Record<string, (typeof MARKER_LABELS)[MarkerKind]>)[kind] ?? { icon: "alert", one: kind, many: kind, title: kind };
}
