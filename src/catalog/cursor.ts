// Keyset cursors for the recordings list: the sort, the order, and the sort key value and id of the last item
// of a page, opaque to clients. Rows inserted between pages cannot shift or repeat items, unlike offsets.
import { CatalogError } from "./catalog.ts";
import { RECORDING_SORTS, type RecordingRow, type RecordingSort, SORT_ORDERS, type SortOrder } from "./types.ts";

export interface CursorPosition {
  sort: RecordingSort;
  order: SortOrder;
  /** The sort key of the last item: ms for start and duration, text for user and desktop. */
  value: number | string;
  id: string;
}

/** The value a row is ordered by; must agree with the SQL in listQuery.ts. */
export function sortValue(row: RecordingRow, sort: RecordingSort): number | string {
  switch (sort) {
    case "start":
      return row.startMs;
    case "duration":
      return row.durationMs;
    case "user":
      return row.user;
    case "desktop":
      return row.desktopName || row.desktopAddr;
  }
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.sort, position.order, position.value, position.id])).toString("base64url");
}

function invalid(cursor: string): CatalogError {
  return new CatalogError(`invalid cursor "${cursor.slice(0, 40)}"`);
}

function isNumericSort(sort: RecordingSort): boolean {
  return sort === "start" || sort === "duration";
}

/** Reads a cursor and checks it was made for the same sort and order as the request it comes with. */
export function decodeCursor(cursor: string, sort: RecordingSort, order: SortOrder): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid(cursor);
  }
  if (!Array.isArray(parsed)) throw invalid(cursor);
  // Cursors from before sorting existed: [startMs, id], newest first.
  const fields: unknown[] = parsed.length === 2 ? ["start", "desc", ...parsed] : parsed;
  const [madeSort, madeOrder, value, id] = fields;
  if (
    fields.length !== 4 ||
    !(RECORDING_SORTS as readonly unknown[]).includes(madeSort) ||
    !(SORT_ORDERS as readonly unknown[]).includes(madeOrder) ||
    typeof id !== "string"
  ) {
    throw invalid(cursor);
  }
  const position = { sort: madeSort as RecordingSort, order: madeOrder as SortOrder, id };
  if (isNumericSort(position.sort) ? !Number.isSafeInteger(value) : typeof value !== "string") throw invalid(cursor);
  if (position.sort !== sort || position.order !== order) {
    throw new CatalogError(
      `cursor was made for sort=${position.sort} order=${position.order}, not sort=${sort} order=${order}; ` +
        "ask for the first page again (without cursor) to change the order",
    );
  }
  return { ...position, value: value as number | string };
}
