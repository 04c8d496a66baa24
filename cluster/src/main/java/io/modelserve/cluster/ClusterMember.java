package io.modelserve.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * Starts a Hazelcast member configured the way modelserve needs it: quiet, explicit, private.
 *
 * <p>Members speak the member protocol only: the advanced network configuration declares a member
 * endpoint and nothing else, so no client, REST or memcache protocol is accepted on any port (an
 * outside {@code HazelcastClient} cannot connect). With a cluster secret the cluster name on the
 * wire is derived from it ({@link ClusterKeys#wireName()}): a process without the secret is refused
 * at the join. The entry seal goes into the member's user context, which stays in this process.
 */
public final class ClusterMember {
    public static final String HEAD_ATTRIBUTE = "modelserve.head";
    static final String SEAL_CONTEXT_KEY = "modelserve.entrySeal";

    private ClusterMember() {}

    public static HazelcastInstance start(MemberOptions options) {
        return Hazelcast.newHazelcastInstance(config(options));
    }

    static Config config(MemberOptions options) {
        Config config = new Config();
        ClusterKeys keys = options.keys();
        config.setClusterName(keys.wireName());
        java.util.concurrent.ConcurrentHashMap<String, Object> local = new java.util.concurrent.ConcurrentHashMap<>();
        local.put(SEAL_CONTEXT_KEY, keys.entrySeal());
        config.setUserContext(local);
        config.setInstanceName("modelserve-" + options.bindAddress() + "-" + options.port());
        // Never phone home, never guess: a serving cluster must not reach outside its network.
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        config.setProperty("hazelcast.local.localAddress", options.bindAddress());
        config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(options.heartbeatTimeoutSeconds()));
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.getMemberAttributeConfig().setAttribute(HEAD_ATTRIBUTE, String.valueOf(options.headEligible()));

        AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true);
        ServerSocketEndpointConfig members = new ServerSocketEndpointConfig();
        members.setPort(options.port()).setPortAutoIncrement(false);
        members.getInterfaces().setEnabled(true).addInterface(options.bindAddress());
        members.setPublicAddress(options.bindAddress() + ":" + options.port());
        network.setMemberEndpointConfig(members);
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true);
        join.getTcpIpConfig().addMember(options.bindAddress() + ":" + options.port());
        for (String member : options.members()) {
            join.getTcpIpConfig().addMember(member.contains(":") ? member : member + ":" + MemberOptions.DEFAULT_PORT);
        }

        // Two synchronous backups: state survives two members lost before re-replication completes
        // (an agent killed and another frozen moments later, on a loaded machine).
        MapConfig maps = new MapConfig("modelserve.*").setBackupCount(2).setAsyncBackupCount(0);
        // After a split (a frozen node thaws), the side that kept running is right: entries the
        // stale side brings along (assignments the controller already removed) are discarded.
        maps.getMergePolicyConfig().setPolicy(com.hazelcast.spi.merge.DiscardMergePolicy.class.getName());
        config.addMapConfig(maps);
        config.addQueueConfig(new com.hazelcast.config.QueueConfig("modelserve.queue.*").setBackupCount(2)
                .setMaxSize(100_000));
        return config;
    }
}
