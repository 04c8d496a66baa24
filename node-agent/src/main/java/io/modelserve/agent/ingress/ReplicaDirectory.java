package io.modelserve.agent.ingress;

import io.modelserve.agent.runtime.Replica;
import java.util.List;

/** The replicas a router may send a deployment's requests to. */
public interface ReplicaDirectory {
    /** Replicas of {@code deployment} in phase RUNNING, in no particular order. */
    List<Replica> running(String deployment);

    /** Whether any replica of {@code deployment} is starting, to tell "starting" from "none" in a 503. */
    boolean starting(String deployment);
}
