// Node-to-node request signatures: accepted only with the same secret, the same method and target, within the
// time window; the cluster secret's length and the node settings are checked at start.
import { describe, expect, test } from "bun:test";
import { NODE_NAME_HEADER, NODE_SIGNATURE_HEADER, nodeRequestHeaders, verifyNodeRequest } from "../../src/cluster/nodeAuth.ts";
import { loadConfig } from "../../src/config.ts";

const SECRET = "cluster-secret-0123456789abcdef-0123";
const URL_ = "http://10.0.0.7:8080/v1/recordings/abc/live?from=3";

function request(url: string, headers: Record<string, string>, method = "GET"): Request {
  return new Request(url, { method, headers });
}

describe("node request signatures", () => {
  test("a signed request names its node; the host may differ (a proxy), the path and query may not", () => {
    const headers = nodeRequestHeaders(SECRET, "node-1", "GET", URL_, 1_000_000);
    expect(verifyNodeRequest(SECRET, request(URL_, headers), 1_000_000)).toEqual({ ok: true, node: "node-1" });
    expect(verifyNodeRequest(SECRET, request("http://lb:80/v1/recordings/abc/live?from=3", headers), 1_000_500)).toEqual({ ok: true, node: "node-1" });
    expect(verifyNodeRequest(SECRET, request("http://10.0.0.7:8080/v1/recordings/abd/live?from=3", headers), 1_000_000)).toEqual({ ok: false, reason: "bad node signature" });
    expect(verifyNodeRequest(SECRET, request("http://10.0.0.7:8080/v1/recordings/abc/live?from=4", headers), 1_000_000).ok).toBe(false);
    expect(verifyNodeRequest(SECRET, request(URL_, headers, "DELETE"), 1_000_000).ok).toBe(false);
  });

  test("wrong secret, another node's name, expired or malformed signatures, and no secret at all are refused", () => {
    const headers = nodeRequestHeaders(SECRET, "node-1", "GET", URL_, 1_000_000);
    expect(verifyNodeRequest(`${SECRET}x`, request(URL_, headers), 1_000_000)).toEqual({ ok: false, reason: "bad node signature" });
    expect(verifyNodeRequest(SECRET, request(URL_, { ...headers, [NODE_NAME_HEADER]: "node-2" }), 1_000_000).ok).toBe(false);
    expect(verifyNodeRequest(SECRET, request(URL_, headers), 1_000_000 + 60_001)).toEqual({ ok: false, reason: "node signature expired (check the nodes' clocks)" });
    expect(verifyNodeRequest(SECRET, request(URL_, headers), 1_000_000 - 60_001).ok).toBe(false);
    expect(verifyNodeRequest(SECRET, request(URL_, { ...headers, [NODE_SIGNATURE_HEADER]: "t=1,s=short" }), 1_000_000)).toEqual({ ok: false, reason: "malformed node signature" });
    expect(verifyNodeRequest(SECRET, request(URL_, {}), 1_000_000)).toEqual({ ok: false, reason: "not a signed node request" });
    expect(verifyNodeRequest(null, request(URL_, headers), 1_000_000)).toEqual({ ok: false, reason: "this node has no DESKREEL_CLUSTER_SECRET" });
  });
});

describe("cluster configuration", () => {
  test("defaults: no name (host:port once listening), no advertise URL, no secret, 15 s lease", () => {
    const config = loadConfig({});
    expect([config.nodeName, config.advertiseUrl, config.clusterSecret, config.nodeLeaseSeconds]).toEqual([null, null, null, 15]);
  });

  test("values are checked at start", () => {
    const config = loadConfig({ DESKREEL_NODE_NAME: "node-1.eu", DESKREEL_ADVERTISE_URL: "http://10.0.0.7:8080/", DESKREEL_CLUSTER_SECRET: SECRET });
    expect([config.nodeName, config.advertiseUrl, config.clusterSecret]).toEqual(["node-1.eu", "http://10.0.0.7:8080", SECRET]);
    expect(() => loadConfig({ DESKREEL_CLUSTER_SECRET: "short" })).toThrow(/at least 32/);
    expect(() => loadConfig({ DESKREEL_NODE_NAME: "bad name" })).toThrow(/DESKREEL_NODE_NAME/);
    expect(() => loadConfig({ DESKREEL_ADVERTISE_URL: "ftp://x" })).toThrow(/http/);
    expect(() => loadConfig({ DESKREEL_ADVERTISE_URL: "http://u:p@x" })).toThrow(/credentials/);
    expect(() => loadConfig({ DESKREEL_NODE_LEASE_SECONDS: "1" })).toThrow(/DESKREEL_NODE_LEASE_SECONDS/);
  });
});
