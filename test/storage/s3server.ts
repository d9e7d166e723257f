// Starts a real S3-compatible server (moto_server) on a free loopback port for the S3 tests.
// moto ships with the machine image's Python (pip package moto 5 with its server extras); where it is
// missing, `pip install 'moto[server]'` provides the moto_server command.
import type { Subprocess } from "bun";
import { S3Requests } from "../../src/storage/s3Requests.ts";

export const MOTO_INSTALL_HINT = "pip install 'moto[server]'  (provides the moto_server command)";

export interface S3TestServer {
  endpoint: string;
  region: string;
  /** moto accepts any credentials until enforceSignatures() is called. */
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
  /** Makes the server check SigV4 signatures from now on; returns credentials it accepts. */
  enforceSignatures(): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /** Back to accepting anything. */
  relaxSignatures(): Promise<void>;
}

export function motoServerPath(): string | null {
  return Bun.which("moto_server");
}

async function freeLoopbackPort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

async function waitUntilServing(endpoint: string, proc: Subprocess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`moto_server exited with code ${proc.exitCode} before serving`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(100);
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${deadlineMs} ms`);
}

async function iamCall(endpoint: string, params: Record<string, string>): Promise<string> {
  // Unsigned-but-routable IAM call: moto routes by the credential scope and skips checks while
  // the no-auth allowance lasts.
  const response = await fetch(`${endpoint}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=AKIDSETUP/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: new URLSearchParams({ ...params, Version: "2010-05-08" }).toString(),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto IAM ${params.Action} failed: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text;
}

/** Start moto_server; the caller must skip when motoServerPath() is null. */
export async function startS3Server(): Promise<S3TestServer> {
  const binary = motoServerPath();
  if (binary === null) throw new Error(`moto_server not found; install it with: ${MOTO_INSTALL_HINT}`);
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn([binary, "-H", "127.0.0.1", "-p", String(port)], { stdout: "ignore", stderr: "ignore" });
  try {
    await waitUntilServing(endpoint, proc, 20_000);
  } catch (err) {
    proc.kill();
    throw err;
  }
  const setAllowance = async (count: string): Promise<void> => {
    const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: "POST", body: count });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`moto reset-auth failed: HTTP ${response.status}`);
  };
  return {
    endpoint,
    region: "us-east-1",
    accessKeyId: "test-access-key",
    secretAccessKey: "test-secret-key",
    async stop() {
      proc.kill();
      await proc.exited;
    },
    async enforceSignatures() {
      await setAllowance("3"); // the three IAM calls below, then every request is checked
      const user = `deskreel-${crypto.randomUUID().slice(0, 8)}`;
      await iamCall(endpoint, { Action: "CreateUser", UserName: user });
      const keyXml = await iamCall(endpoint, { Action: "CreateAccessKey", UserName: user });
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
      await iamCall(endpoint, { Action: "PutUserPolicy", UserName: user, PolicyName: "s3", PolicyDocument: policy });
      const accessKeyId = /<AccessKeyId>([^<]+)</.exec(keyXml)?.[1];
      const secretAccessKey = /<SecretAccessKey>([^<]+)</.exec(keyXml)?.[1];
      if (!accessKeyId || !secretAccessKey) throw new Error("moto CreateAccessKey returned no key");
      return { accessKeyId, secretAccessKey };
    },
    async relaxSignatures() {
      await setAllowance("inf");
    },
  };
}

/** Create a bucket on the test server (signed like any other request). */
export async function createTestBucket(server: S3TestServer, bucket: string): Promise<void> {
  await new S3Requests({ endpoint: server.endpoint, bucket, region: server.region, accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }).createBucket();
}
