// The text of anything thrown: an Error's message, or the thrown value itself as a string.
// Pure and DOM-free, so the browser bundle (public/) imports it too.
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
