// An SSH recording's terminal as /v1/recordings/:id/terminal gives it, decoded once for the player.
import type { TerminalBody } from "../../../src/api/terminal.ts";
import { fetchJson } from "../lib/api.ts";

export interface TerminalSize {
  cols: number;
  rows: number;
}

export type TerminalStep =
  | { tMs: number; kind: "output"; data: Uint8Array }
  | { tMs: number; kind: "resize"; size: TerminalSize };

export interface TerminalRecording {
  size: TerminalSize;
  /** In time order. */
  steps: TerminalStep[];
  durationMs: number;
  /** The server sent only the first part (see TERMINAL_MAX_OUTPUT_BYTES in terminalRoutes.ts). */
  truncated: boolean;
}

/** The answer as the server's schema declares it. */
type WireTerminal = TerminalBody;

export const terminalUrl = (id: string): string => `/v1/recordings/${encodeURIComponent(id)}/terminal`;

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export async function loadTerminal(id: string): Promise<TerminalRecording> {
  const wire = await fetchJson<WireTerminal>(terminalUrl(id));
  const steps: TerminalStep[] = [];
  for (const e of wire.events) {
    if (e.kind === "output" && e.data !== undefined) steps.push({ tMs: e.t_ms, kind: "output", data: fromBase64(e.data) });
    else if (e.kind === "resize" && e.cols && e.rows) steps.push({ tMs: e.t_ms, kind: "resize", size: { cols: e.cols, rows: e.rows } });
  }
  const last = steps[steps.length - 1]?.tMs ?? 0;
  return { size: wire.size, steps, durationMs: Math.max(wire.duration_ms, last), truncated: wire.truncated };
}
