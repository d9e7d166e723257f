// Paints a SceneState: wallpaper, the three windows in stacking order and the taskbar. The pointer
// is never painted (RDP bitmaps have none). Painting depends on the state only, so equal states
// give equal pixels.
import { createCanvas, type Canvas, type SKRSContext2D } from "@napi-rs/canvas";
import { DOCUMENT_TITLE } from "./content.ts";
import {
  DOC_LINE_H, DOC_TOP_PAD, FONTS, MAIL_FOLDERS_W, MAIL_ROW_H, RIBBON_H, SCROLLBAR_W, TERM_LINE_H, TERM_PAD, TITLE_BAR_H,
  docFont, docLineTop, layoutFor, type Box, type DesktopLayout, type WindowId,
} from "./layout.ts";
import { Rng } from "./random.ts";
import type { DemoScript } from "./script.ts";
import type { SceneState } from "./sceneState.ts";

const TITLES: Record<WindowId, string> = {
  document: DOCUMENT_TITLE,
  terminal: "Windows PowerShell",
  mail: "Inbox - Outlook",
};
const ACCENT = "#1f5fa8";

export class DesktopPainter {
  private wallpaper: { key: string; canvas: Canvas } | null = null;

  constructor(private readonly script: DemoScript) {}

  paint(ctx: SKRSContext2D, state: SceneState): void {
    const layout = layoutFor(state.size);
    ctx.save();
    ctx.drawImage(this.wallpaperFor(layout), 0, 0);
    const focused = state.zOrder[state.zOrder.length - 1];
    for (const id of state.zOrder) {
      const box = layout.windows[id];
      ctx.save();
      clip(ctx, box);
      drawFrame(ctx, box, TITLES[id], id === focused);
      if (id === "document") this.drawDocument(ctx, layout, state);
      else if (id === "terminal") drawTerminal(ctx, layout, state);
      else drawMail(ctx, layout, state);
      ctx.restore();
    }
    drawTaskbar(ctx, layout, state, focused);
    ctx.restore();
  }

  /** The wallpaper and desktop icons never change, so they are painted once per screen size. */
  private wallpaperFor(layout: DesktopLayout): Canvas {
    const key = `${layout.width}x${layout.height}`;
    if (this.wallpaper?.key === key) return this.wallpaper.canvas;
    const canvas = createCanvas(layout.width, layout.height);
    const ctx = canvas.getContext("2d");
    const gradient = ctx.createLinearGradient(0, 0, layout.width, layout.height);
    gradient.addColorStop(0, "#0b3d91");
    gradient.addColorStop(1, "#4a8fd8");
    ctx.fillStyle = gradient;
    ctx.fillRect(0, 0, layout.width, layout.height);
    const rng = new Rng(this.script.seed ^ 0x5eed);
    for (let i = 0; i < 7; i++) {
      ctx.fillStyle = `rgba(255, 255, 255, ${rng.range(0.04, 0.12).toFixed(3)})`;
      ctx.beginPath();
      ctx.arc(rng.range(0, layout.width), rng.range(0, layout.height), rng.range(0.05, 0.3) * layout.width, 0, Math.PI * 2);
      ctx.fill();
    }
    const icons: Array<[string, string]> = [["Recycle Bin", "#9aa5b1"], ["This PC", "#3d8bd9"], ["Reports", "#e8b339"]];
    ctx.font = FONTS.title;
    ctx.textAlign = "center";
    icons.forEach(([label, colour], i) => {
      const y = 16 + i * 84;
      ctx.fillStyle = colour;
      ctx.fillRect(24, y, 36, 32);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(label, 42, y + 50);
    });
    this.wallpaper = { key, canvas };
    return canvas;
  }

  private drawDocument(ctx: SKRSContext2D, layout: DesktopLayout, state: SceneState): void {
    const win = layout.windows.document;
    const view = layout.docView;
    // Ribbon: tabs and a row of buttons.
    ctx.fillStyle = "#f3f3f3";
    ctx.fillRect(win.x + 1, win.y + TITLE_BAR_H, win.w - 2, RIBBON_H);
    ctx.font = FONTS.ui;
    ctx.fillStyle = "#333333";
    let tabX = win.x + 12;
    for (const tab of ["File", "Home", "Insert", "Layout", "References", "Review", "View"]) {
      ctx.fillText(tab, tabX, win.y + TITLE_BAR_H + 18);
      tabX += Math.round(ctx.measureText(tab).width) + 24;
    }
    ctx.fillStyle = "#dcdcdc";
    for (let x = win.x + 12; x < win.x + win.w - 40; x += 34) ctx.fillRect(x, win.y + TITLE_BAR_H + 28, 26, 20);
    // Page area.
    ctx.save();
    clip(ctx, view);
    ctx.fillStyle = "#e6e6e6";
    ctx.fillRect(view.x, view.y, view.w, view.h);
    const doc = this.script.document;
    const pageTop = view.y + 10 - state.docScroll;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(layout.docPage.x, pageTop, layout.docPage.w, DOC_TOP_PAD + doc.length * DOC_LINE_H + 20);
    const first = Math.max(0, Math.floor((state.docScroll - DOC_TOP_PAD) / DOC_LINE_H) - 1);
    const last = Math.min(doc.length - 1, first + Math.ceil(view.h / DOC_LINE_H) + 2);
    for (let i = first; i <= last; i++) {
      const line = doc[i];
      const top = docLineTop(layout, i, state.docScroll);
      ctx.font = docFont(line.style);
      const sel = state.selection;
      if (sel !== null && sel.line === i && sel.end > sel.start) {
        const x0 = layout.docTextX + ctx.measureText(line.text.slice(0, sel.start)).width;
        const x1 = layout.docTextX + ctx.measureText(line.text.slice(0, sel.end)).width;
        ctx.fillStyle = "#b4d5fe";
        ctx.fillRect(Math.round(x0), top + 2, Math.round(x1 - x0), DOC_LINE_H - 3);
      }
      ctx.fillStyle = line.style === "heading" ? "#1f4e79" : "#1a1a1a";
      ctx.fillText(line.text, layout.docTextX, top + 16);
    }
    ctx.restore();
    // Scrollbar with a thumb that follows the scroll offset.
    const trackX = view.x + view.w;
    ctx.fillStyle = "#f0f0f0";
    ctx.fillRect(trackX, view.y, SCROLLBAR_W, view.h);
    const total = DOC_TOP_PAD + doc.length * DOC_LINE_H + 40;
    const thumbH = Math.max(24, Math.round((view.h * view.h) / total));
    const thumbY = view.y + Math.round(((view.h - thumbH) * Math.min(state.docScroll, total - view.h)) / Math.max(1, total - view.h));
    ctx.fillStyle = "#a6a6a6";
    ctx.fillRect(trackX + 3, thumbY, SCROLLBAR_W - 6, thumbH);
  }
}

function clip(ctx: SKRSContext2D, box: Box): void {
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.w, box.h);
  ctx.clip();
}

function drawFrame(ctx: SKRSContext2D, box: Box, title: string, active: boolean): void {
  ctx.fillStyle = active ? ACCENT : "#8a8a8a";
  ctx.fillRect(box.x, box.y, box.w, box.h);
  ctx.fillStyle = active ? ACCENT : "#e8e8e8";
  ctx.fillRect(box.x + 1, box.y + 1, box.w - 2, TITLE_BAR_H - 1);
  ctx.font = FONTS.title;
  ctx.fillStyle = active ? "#ffffff" : "#555555";
  ctx.fillText(title, box.x + 12, box.y + 19);
  // Minimise, maximise and close glyphs.
  ctx.strokeStyle = active ? "#ffffff" : "#555555";
  ctx.lineWidth = 1;
  const right = box.x + box.w;
  ctx.beginPath();
  ctx.moveTo(right - 128, box.y + 15.5);
  ctx.lineTo(right - 118, box.y + 15.5);
  ctx.rect(right - 78.5, box.y + 10.5, 10, 10);
  ctx.moveTo(right - 28, box.y + 10);
  ctx.lineTo(right - 18, box.y + 20);
  ctx.moveTo(right - 18, box.y + 10);
  ctx.lineTo(right - 28, box.y + 20);
  ctx.stroke();
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(box.x + 1, box.y + TITLE_BAR_H, box.w - 2, box.h - TITLE_BAR_H - 1);
}

function drawTerminal(ctx: SKRSContext2D, layout: DesktopLayout, state: SceneState): void {
  const view = layout.terminalView;
  ctx.fillStyle = "#012456";
  ctx.fillRect(view.x, view.y, view.w, view.h);
  const rows = Math.max(1, Math.floor((view.h - 2 * TERM_PAD) / TERM_LINE_H));
  const shown = [...state.terminal.lines, state.terminal.current].slice(-rows);
  ctx.font = FONTS.terminal;
  ctx.fillStyle = "#eeedf0";
  shown.forEach((line, i) => ctx.fillText(line, view.x + TERM_PAD, view.y + TERM_PAD + i * TERM_LINE_H + 13));
  // A steady block cursor: a blinking one would make every idle second a screen change.
  const cursorX = view.x + TERM_PAD + Math.round(ctx.measureText(state.terminal.current).width);
  ctx.fillRect(cursorX, view.y + TERM_PAD + (shown.length - 1) * TERM_LINE_H + 2, 8, TERM_LINE_H - 3);
}

function drawMail(ctx: SKRSContext2D, layout: DesktopLayout, state: SceneState): void {
  const win = layout.windows.mail;
  const list = layout.mailList;
  const unread = state.mail.filter((m) => m.unread).length;
  ctx.fillStyle = "#f0f0f0";
  ctx.fillRect(win.x + 1, win.y + TITLE_BAR_H, MAIL_FOLDERS_W, win.h - TITLE_BAR_H - 1);
  ctx.fillStyle = "#333333";
  ["Inbox", "Drafts", "Sent Items", "Archive", "Deleted Items"].forEach((folder, i) => {
    ctx.font = i === 0 && unread > 0 ? FONTS.uiBold : FONTS.ui;
    ctx.fillText(i === 0 && unread > 0 ? `${folder} (${unread})` : folder, win.x + 14, win.y + TITLE_BAR_H + 24 + i * 26);
  });
  ctx.font = FONTS.uiBold;
  ctx.fillText("Focused    Other", list.x + 12, list.y - 9);
  state.mail.forEach((mail, i) => {
    const y = list.y + i * MAIL_ROW_H;
    if (y > list.y + list.h) return;
    if (mail.unread) {
      ctx.fillStyle = "#0f6cbd";
      ctx.fillRect(list.x, y + 4, 3, MAIL_ROW_H - 8);
    }
    ctx.fillStyle = "#1a1a1a";
    ctx.font = mail.unread ? FONTS.uiBold : FONTS.ui;
    ctx.fillText(mail.from, list.x + 12, y + 18);
    ctx.font = FONTS.ui;
    ctx.fillStyle = mail.unread ? "#0f6cbd" : "#555555";
    ctx.fillText(mail.subject, list.x + 12, y + 36);
    ctx.fillStyle = "#555555";
    ctx.fillText(mail.time, list.x + list.w - 48, y + 18);
    ctx.fillStyle = "#e1e1e1";
    ctx.fillRect(list.x + 6, y + MAIL_ROW_H - 1, list.w - 12, 1);
  });
}

function drawTaskbar(ctx: SKRSContext2D, layout: DesktopLayout, state: SceneState, focused: WindowId): void {
  const bar = layout.taskbar;
  ctx.fillStyle = "#202020";
  ctx.fillRect(bar.x, bar.y, bar.w, bar.h);
  ctx.fillStyle = "#4cc2ff";
  for (const [dx, dy] of [[0, 0], [10, 0], [0, 10], [10, 10]]) ctx.fillRect(14 + dx, bar.y + 11 + dy, 8, 8);
  const apps: Array<[WindowId, string, string]> = [["document", "W", "#185abd"], ["mail", "O", "#0f6cbd"], ["terminal", ">_", "#2b2b2b"]];
  ctx.font = FONTS.uiBold;
  ctx.textAlign = "center";
  apps.forEach(([id, letter, colour], i) => {
    const x = 56 + i * 48;
    ctx.fillStyle = colour;
    ctx.fillRect(x + 8, bar.y + 8, 24, 24);
    ctx.fillStyle = "#ffffff";
    ctx.fillText(letter, x + 20, bar.y + 25);
    ctx.fillStyle = id === focused ? "#4cc2ff" : "#8a8a8a";
    ctx.fillRect(id === focused ? x + 10 : x + 16, bar.y + 36, id === focused ? 20 : 8, 3);
  });
  const unread = state.mail.filter((m) => m.unread).length;
  if (unread > 0) {
    ctx.fillStyle = "#c42b1c";
    ctx.beginPath();
    ctx.arc(56 + 48 + 32, bar.y + 9, 7, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = "#ffffff";
    ctx.font = FONTS.title;
    ctx.fillText(String(unread), 56 + 48 + 32, bar.y + 13);
  }
  ctx.font = FONTS.clock;
  ctx.fillStyle = "#ffffff";
  ctx.fillText(state.clock.time, layout.clock.x + 48, bar.y + 17);
  ctx.fillText(state.clock.date, layout.clock.x + 48, bar.y + 33);
  ctx.textAlign = "start";
}
