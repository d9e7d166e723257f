// xterm's DOM renderer puts its per-terminal rules (cell size, theme colours) into <style> elements. The pages'
// Content-Security-Policy (style-src 'self') does not apply those; the same rules are applied here through a
// constructed stylesheet, which CSP allows because script made it, and kept up to date as xterm rewrites them.

export function bridgeInlineStyles(root: HTMLElement): () => void {
  const sheets = new Map<HTMLStyleElement, CSSStyleSheet>();
  const sync = (): void => {
    const seen = new Set<HTMLStyleElement>();
    for (const el of root.querySelectorAll("style")) {
      seen.add(el);
      let sheet = sheets.get(el);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheets.set(el, sheet);
        document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      }
      sheet.replaceSync(el.textContent ?? "");
    }
    for (const [el, sheet] of sheets) {
      if (seen.has(el)) continue;
      sheets.delete(el);
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet);
    }
  };
  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  sync();
  return () => observer.disconnect();
}
