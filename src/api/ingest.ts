// What the SSH ingest socket takes besides terminal output: its start size in the query and the control frames
// (text) that resize the terminal.
import { type Static, t } from "elysia";

export const MAX_TERMINAL_SIDE = 10_000;
const SIDE_ERROR = `cols and rows must be whole numbers from 1 to ${MAX_TERMINAL_SIDE}`;

/** `cols` / `rows` in the socket's query (text). */
export const terminalSideParam = t.Numeric({ minimum: 1, maximum: MAX_TERMINAL_SIDE, multipleOf: 1, error: SIDE_ERROR });

const side = t.Number({ minimum: 1, maximum: MAX_TERMINAL_SIDE, multipleOf: 1, error: SIDE_ERROR });

/** A text frame on /v1/ingest/ssh: `{"resize":{"cols":C,"rows":R}}`. */
export const ControlFrame = t.Object({ resize: t.Object({ cols: side, rows: side }) });
export type ControlFrame = Static<typeof ControlFrame>;

export const UNKNOWN_CONTROL = 'unknown control message (expected {"resize":{"cols":C,"rows":R}})';
