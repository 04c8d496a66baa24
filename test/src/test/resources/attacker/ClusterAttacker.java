import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an outsider on the cluster network can run with nothing but the Hazelcast jar. Compiled and
 * started by ClusterTrustE2ETest in a JVM of its own; prints one result line per attempt.
 *
 * <pre>
 * client ADDRESS CLUSTER_NAME                      connect as a HazelcastClient
 * member BIND PORT JOIN CLUSTER_NAME                join as a member, count what it sees
 * forge  BIND PORT JOIN CLUSTER_NAME ENTRIES_FILE   join, then write raw entries (map TAB key TAB value per line;
 *                                                   ${SELF} is replaced by its member uuid); waits for stdin to close
 * </pre>
 */
public final class ClusterAttacker {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "client" -> client(args[1], args[2]);
            case "member" -> member(args, false);
            case "forge" -> member(args, true);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void client(String address, String name) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(name);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.getNetworkConfig().addAddress(address);
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(5_000);
        try {
            HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
            System.out.println("CONNECTED objects=" + client.getDistributedObjects().size());
            client.shutdown();
        } catch (RuntimeException e) {
            System.out.println("REFUSED " + e.getClass().getSimpleName());
        }
    }

    private static void member(String[] args, boolean forge) throws Exception {
        Config config = new Config();
        config.setClusterName(args[4]);
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.max.join.seconds", "15");
        config.setProperty("hazelcast.wait.seconds.before.join", "0");
        config.setProperty("hazelcast.local.localAddress", args[1]);
        config.getNetworkConfig().setPort(Integer.parseInt(args[2])).setPortAutoIncrement(false);
        config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(args[1]);
        JoinConfig join = config.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember(args[3]);
        HazelcastInstance member = Hazelcast.newHazelcastInstance(config);
        try {
            IMap<String, String> deployments = member.getMap("modelserve.deployments");
            IMap<String, String> applied = member.getMap("modelserve.applied");
            System.out.println("MEMBERS " + member.getCluster().getMembers().size());
            System.out.println("DEPLOYMENTS " + deployments.size());
            String current = applied.get("current");
            System.out.println("APPLIED " + (current == null ? "none" : current.replace('\n', ' ')));
            if (forge) {
                String self = member.getCluster().getLocalMember().getUuid().toString();
                int written = 0;
                for (String line : Files.readAllLines(Path.of(args[5]))) {
                    List<String> fields = List.of(line.split("\t", 3));
                    member.<String, String>getMap(fields.get(0)).set(fields.get(1), fields.get(2).replace("${SELF}", self));
                    written++;
                }
                System.out.println("FORGED " + written);
                System.out.flush();
                System.in.read(); // stays a member, so its forged node entry names a live member, until the test is done
            }
        } finally {
            member.shutdown();
        }
    }
}
