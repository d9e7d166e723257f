// Import speed of a PNG-era 1080p office recording.
import { benchImport } from "../server.ts";
import { f, Lines, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "import",
  title: "Import speed",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const importSeconds = quick ? 30 : 300;
    const imp = await benchImport(importSeconds);
    out(`A ${Math.round(imp.sessionSeconds)} s 1080p office recording imported with \`POST /v1/recordings/import\`: video ready after ${f(imp.wallSeconds)} s = **${f(imp.timesRealTime)}× real time** (target ≥ 20×).`);
    return lines;
  },
};
export default section;
