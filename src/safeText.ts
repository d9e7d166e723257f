// Text that leaves the server: log lines with names a client chose, and error messages shown through the API.

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One log line, whatever it quotes: control characters become visible escapes (\n, \r, \t, \x1b, \u2028), so
 * a user or desktop name with CR/LF cannot forge a line and escape sequences cannot drive the terminal.
 */
export function escapeControlChars(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * An absolute file path: a slash not following a word character, ':' or another slash (so not a URL's path or
 * a relative one), then at least two path segments. Only its last segment is kept.
 */
const ABSOLUTE_PATH = /(?<![\w:/.~-])\/(?:[^\s/'"`:,;()<>]+\/)+([^\s/'"`:,;()<>]*)/g;

/** An error message for API responses: server file paths are reduced to their file name. */
export function withoutServerPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, (_whole, last: string) => (last ? `…/${last}` : "…/"));
}
