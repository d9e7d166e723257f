// The recording's evidence check in the player: asks the server to verify it (GET /v1/recordings/:id/verify:
// the manifest's signature, the hash chain, every part and stored object) and shows a clear warning naming
// what does not match, or a small "verified" mark. A live recording verifies up to its last stored part; one
// whose video is still being made verifies by its chain alone — neither is an alarm. The server hashes every
// stored object per request, so the page asks once on load and again only when the recording is finished.
import type { VerifyBody } from "../../../src/api/evidence.ts";
import { fetchJson, recordingUrls } from "../lib/api.ts";
import { h } from "../lib/dom.ts";
import { formatDateTime } from "../lib/format.ts";

type Problem = VerifyBody["problems"][number];

const OBJECT_LABELS: Record<Problem["object"], string> = {
  manifest: "The signed manifest",
  recording: "The recording",
  chain: "The hash chain",
  video: "The MP4 video",
  thumbnail: "The thumbnail",
};

export function describeProblem(p: Problem): string {
  const part = p.part === null || p.message.startsWith(`part ${p.part} `) ? "" : `, part ${p.part}`;
  return `${OBJECT_LABELS[p.object]}${part}: ${p.message}`;
}

export class EvidenceCheck {
  private running: Promise<void> | null = null;

  constructor(private readonly id: string, private readonly elements: { warning: HTMLElement; mark: HTMLElement }) {}

  /** Verifies now (a check already under way is shared). A failed request shows nothing: no false alarm. */
  run(): Promise<void> {
    this.running ??= fetchJson<VerifyBody>(`${recordingUrls(this.id).detail}/verify`)
      .then((report) => this.render(report))
      .catch(() => undefined)
      .finally(() => (this.running = null));
    return this.running;
  }

  render(report: VerifyBody): void {
    const { warning, mark } = this.elements;
    mark.dataset.verdict = report.verdict;
    mark.dataset.state = report.state;
    if (report.verdict === "failed") {
      warning.replaceChildren(
        h("strong", {}, "This recording does not match its signature."),
        " What is stored differs from what this server signed when it was recorded, so it may have been altered since. Do not rely on it as evidence as it is.",
        h("ul", { class: "evidence-problems" }, ...report.problems.map((p) => h("li", { "data-object": p.object, "data-part": p.part ?? "" }, describeProblem(p)))),
      );
      warning.hidden = false;
      this.setMark("Not verified", "evidence-failed", `${report.problems.length} mismatch(es): see the warning above the player`);
      return;
    }
    warning.hidden = true;
    warning.replaceChildren();
    if (report.verdict === "unsigned") {
      this.setMark("Not signed", "evidence-unsigned", "Recorded before this server signed recordings: it cannot be verified");
      return;
    }
    const by = `Ed25519 key ${report.key_id ?? "?"}`;
    if (report.state === "sealed") {
      const what = report.objects.filter((o) => o.status === "ok").map((o) => o.name).join(", ");
      const origin = report.imported ? "Imported and signed at import" : "Signed";
      this.setMark("Verified", "evidence-ok", `${origin} ${formatDateTime(report.signed_at)} with ${by}; ${report.chain.parts} part(s) chained; ${what} match the manifest`);
    } else {
      const note = report.notes[0] ? `; ${report.notes[0]}` : "";
      this.setMark("Verified so far", "evidence-ok", `The hash chain (${by}) covers ${report.chain.parts} part(s), ${report.chain.covered_bytes} bytes${note}`);
    }
  }

  private setMark(text: string, cls: string, title: string): void {
    const { mark } = this.elements;
    mark.className = `evidence-mark ${cls}`;
    mark.textContent = text;
    mark.title = title;
    mark.hidden = false;
  }
}
