// Logins under a burst: peak memory of 40 parallel wrong logins with password checks bounded (the default, 2 at a
// time) and, as the peer in the same run, effectively unbounded (40 at a time).
import { loginBurst } from "../../test/support/loginBurst.ts";
import { startServerProcess } from "../../test/support/serverProcess.ts";
import { cpus } from "node:os";
import { f, Lines, type BenchSection } from "./common.ts";

const section: BenchSection = {
  name: "logins",
  title: "A burst of logins: argon2 memory with bounded password checks",
  async run({ quick }) {
    const { lines, out } = new Lines();
    const count = quick ? 12 : 40;
    out(`${count} parallel logins with wrong passwords (unknown users cost the same argon2id check, ~64 MiB each) against a server in its own process. Peak RSS during the burst above RSS before it (VmHWM reset through /proc/<pid>/clear_refs):`);
    out();
    out("| password checks at once (`DESKREEL_PASSWORD_CHECKS`) | answers | peak RSS growth MB | burst wall time s |");
    out("|---|---|---|---|");
    const rows: { checks: number; growth: number }[] = [];
    for (const checks of [2, count]) {
      const server = await startServerProcess({ DESKREEL_PASSWORD_CHECKS: String(checks) });
      try {
        const burst = await loginBurst(server, count, `bench${checks}-`);
        const answers = Object.entries(burst.statuses).map(([status, n]) => `${n}× ${status}`).join(", ");
        out(`| ${checks}${checks === 2 ? " (default)" : ""} | ${answers} | ${f(burst.peakGrowthMb, 0)} | ${f(burst.wallMs / 1000)} |`);
        rows.push({ checks, growth: burst.peakGrowthMb });
      } finally {
        await server.stop();
      }
    }
    out();
    out(`- Bounded/unbounded peak growth: ${f(rows[0].growth / rows[1].growth, 2)}×. Bun runs argon2 on its own thread pool, sized by the machine's cores, so on a ${cpus().length}-core machine both rows hold about ${cpus().length} checks' worth; the bound keeps it at 2 × ~64 MiB on machines with many cores, and answers beyond the 2 running and 32 waiting with 503 and Retry-After: 1 instead of queueing without end.`);
    return lines;
  },
};
export default section;
