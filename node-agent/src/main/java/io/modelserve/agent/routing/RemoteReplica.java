package io.modelserve.agent.routing;

/** A RUNNING replica on another node, reachable through that node's ingress. */
public record RemoteReplica(String replicaId, String deployment, String node, String baseUrl) {}
