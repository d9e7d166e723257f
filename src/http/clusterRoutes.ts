// GET /v1/cluster (admins): the nodes of this deployment as the registry sees them.
import { Elysia } from "elysia";
import { ClusterBody } from "../api/cluster.ts";
import { errors } from "../api/common.ts";
import { canSeeCluster } from "../auth/principal.ts";
import type { Services } from "../services.ts";
import { authGuard, requirePermission } from "./authRoutes.ts";

export function clusterRoutes(services: Services) {
  return new Elysia()
    .use(authGuard(services.auth))
    .get("/v1/cluster", async (ctx) => {
      requirePermission(ctx, canSeeCluster, "see the cluster's nodes");
      return { nodes: await services.cluster.nodes() };
    }, {
      response: { 200: ClusterBody, ...errors(401, 403) },
      detail: { tags: ["status"], summary: "The cluster's nodes, their leases and live sessions (admins)" },
    });
}
