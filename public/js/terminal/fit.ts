// Scales the terminal to fill the stage ("Fit"), or shows it at its own size ("1:1", the stage scrolls).
// The terminal keeps the recorded columns and rows; only its picture is scaled.

const MAX_SCALE = 2.5;

export class TerminalFit {
  private readonly observer: ResizeObserver;
  private actualSize = false;

  constructor(
    private readonly stage: HTMLElement,
    private readonly view: HTMLElement,
  ) {
    this.observer = new ResizeObserver(() => this.apply());
    this.observer.observe(stage);
    this.observer.observe(view);
  }

  setActualSize(actual: boolean): void {
    this.actualSize = actual;
    this.apply();
  }

  apply(): void {
    const width = this.view.offsetWidth;
    const height = this.view.offsetHeight;
    if (this.actualSize || width === 0 || height === 0) {
      this.view.style.transform = "";
      return;
    }
    const pad = 24;
    const scale = Math.min((this.stage.clientWidth - pad) / width, (this.stage.clientHeight - pad) / height, MAX_SCALE);
    this.view.style.transform = scale > 0 ? `scale(${scale.toFixed(4)})` : "";
  }

  dispose(): void {
    this.observer.disconnect();
  }
}
