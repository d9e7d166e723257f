// Where things sit on the demo desktop for a given screen size. The script uses it to aim the
// pointer, the painter to draw; both must agree, so the numbers live here only.
import { createCanvas, type SKRSContext2D } from "@napi-rs/canvas";

export interface Size {
  width: number;
  height: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type WindowId = "document" | "terminal" | "mail";
export const WINDOW_IDS: readonly WindowId[] = ["document", "mail", "terminal"];

export const TITLE_BAR_H = 30;
export const TASKBAR_H = 40;
export const RIBBON_H = 56;
export const SCROLLBAR_W = 14;
export const DOC_LINE_H = 22;
export const DOC_TOP_PAD = 24;
export const TERM_LINE_H = 18;
export const TERM_PAD = 6;
export const MAIL_ROW_H = 44;
export const MAIL_FOLDERS_W = 140;

const SANS = '"Segoe UI", "DejaVu Sans", "Liberation Sans", sans-serif';
const MONO = '"Cascadia Mono", "DejaVu Sans Mono", "Liberation Mono", monospace';
export const FONTS = {
  ui: `13px ${SANS}`,
  uiBold: `bold 13px ${SANS}`,
  title: `12px ${SANS}`,
  clock: `12px ${SANS}`,
  docBody: `15px ${SANS}`,
  docHeading: `bold 19px ${SANS}`,
  docTable: `14px ${MONO}`,
  terminal: `14px ${MONO}`,
} as const;

export interface DesktopLayout extends Size {
  taskbar: Box;
  windows: Record<WindowId, Box>;
  /** Document: the scrolling area under the ribbon, left of the scrollbar. */
  docView: Box;
  /** Document: the white page inside docView (its x and width; it scrolls vertically). */
  docPage: { x: number; w: number };
  /** Document: where text starts inside the page. */
  docTextX: number;
  terminalView: Box;
  mailList: Box;
  clock: Box;
}

function inner(win: Box): Box {
  return { x: win.x + 1, y: win.y + TITLE_BAR_H, w: win.w - 2, h: win.h - TITLE_BAR_H - 1 };
}

export function layoutFor({ width, height }: Size): DesktopLayout {
  const deskH = height - TASKBAR_H;
  const r = Math.round;
  const document: Box = { x: r(width * 0.05), y: r(height * 0.04), w: r(width * 0.52), h: r(deskH * 0.92) };
  const mail: Box = { x: r(width * 0.53), y: r(height * 0.06), w: r(width * 0.43), h: r(height * 0.4) };
  const terminalY = r(height * 0.42);
  const terminal: Box = { x: r(width * 0.42), y: terminalY, w: r(width * 0.55), h: Math.max(TITLE_BAR_H + 40, deskH - terminalY - r(height * 0.03)) };

  const docInner = inner(document);
  const docView: Box = { x: docInner.x, y: docInner.y + RIBBON_H, w: docInner.w - SCROLLBAR_W, h: Math.max(20, docInner.h - RIBBON_H) };
  const pageW = Math.min(700, Math.max(40, docView.w - 40));
  const pageX = docView.x + Math.round((docView.w - pageW) / 2);
  const mailInner = inner(mail);
  return {
    width,
    height,
    taskbar: { x: 0, y: deskH, w: width, h: TASKBAR_H },
    windows: { document, terminal, mail },
    docView,
    docPage: { x: pageX, w: pageW },
    docTextX: pageX + Math.min(48, Math.round(pageW * 0.07)),
    terminalView: inner(terminal),
    mailList: { x: mailInner.x + MAIL_FOLDERS_W, y: mailInner.y + 28, w: mailInner.w - MAIL_FOLDERS_W, h: mailInner.h - 28 },
    clock: { x: width - 96, y: deskH, w: 96, h: TASKBAR_H },
  };
}

/** Top of document line `index` on screen, for a given scroll offset. */
export function docLineTop(layout: DesktopLayout, index: number, scrollPx: number): number {
  return layout.docView.y + DOC_TOP_PAD + index * DOC_LINE_H - scrollPx;
}

export function docFont(style: "heading" | "body" | "table"): string {
  return style === "heading" ? FONTS.docHeading : style === "table" ? FONTS.docTable : FONTS.docBody;
}

let measureCtx: SKRSContext2D | undefined;

/** Width of `text` in `font`, measured the way the painter will draw it. */
export function textWidth(text: string, font: string): number {
  measureCtx ??= createCanvas(8, 8).getContext("2d");
  measureCtx.font = font;
  return measureCtx.measureText(text).width;
}

/** Where the scene switches size: 5/6 of each side, kept even (1920x1080 → 1600x900). */
export function defaultResizeTarget({ width, height }: Size): Size {
  const even = (n: number): number => Math.max(64, Math.round((n * 5) / 6 / 2) * 2);
  return { width: even(width), height: even(height) };
}
