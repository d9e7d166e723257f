// 40 parallel logins against a server in its own process: argon2 checks (~64 MiB each) run two at a time, so the
// burst's memory stays bounded (measured: the process's peak RSS during the burst above its RSS before it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loginBurst } from "../support/loginBurst.ts";
import { type ServerProcess, startServerProcess } from "../support/serverProcess.ts";

const CEILING_MB = 200;
let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("a burst of logins", () => {
  test(`40 parallel wrong logins raise peak RSS by less than ${CEILING_MB} MB`, async () => {
    const burst = await loginBurst(server, 40, "burst");
    console.log(`40 parallel logins: ${JSON.stringify(burst.statuses)}, peak RSS +${burst.peakGrowthMb.toFixed(0)} MB, ${Math.round(burst.wallMs)} ms`);
    expect((burst.statuses[401] ?? 0) + (burst.statuses[503] ?? 0)).toBe(40);
    expect(burst.peakGrowthMb).toBeLessThan(CEILING_MB);
  }, 180_000);
});
