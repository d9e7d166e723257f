// GET /v1/cluster: the nodes sharing this catalog, their leases and live sessions.
import { type Static, t } from "elysia";

export const ClusterNodeItem = t.Object({
  name: t.String({ description: "the node's unique name (DESKREEL_NODE_NAME)" }),
  url: t.String({ description: "how the other nodes reach it (DESKREEL_ADVERTISE_URL)" }),
  lastSeenMs: t.Integer({ description: "when it last renewed its lease, in milliseconds since the Unix epoch" }),
  alive: t.Boolean({ description: "its lease is current (renewed within DESKREEL_NODE_LEASE_SECONDS)" }),
  liveSessions: t.Integer({ description: "live sessions it records" }),
});
export type ClusterNodeItem = Static<typeof ClusterNodeItem>;

export const ClusterBody = t.Object({
  nodes: t.Array(ClusterNodeItem, { description: "by name; a node that stopped cleanly has left the list" }),
});
export type ClusterBody = Static<typeof ClusterBody>;
