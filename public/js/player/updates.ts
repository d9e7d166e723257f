// What every player media (video, terminal) shares: its state changes reach the controls as at most one
// "update" event per animation frame, however many happen in between.

export class CoalescedUpdates extends EventTarget {
  private updateQueued = false;

  /** Coalesce state changes into one "update" per animation frame. */
  protected update(): void {
    if (this.updateQueued) return;
    this.updateQueued = true;
    requestAnimationFrame(() => {
      this.updateQueued = false;
      this.dispatchEvent(new Event("update"));
    });
  }
}
