package io.modelserve.agent.models;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.modelserve.agent.http.Ingress;
import io.modelserve.agent.transport.ClusterSecret;
import java.util.Map;

/**
 * The model repository on every node's request port: {@code GET /-/models/<deployment>} (open, like
 * {@code /-/routes}), and {@code POST /-/models/<deployment>/<model>/load|unload}, node to node with
 * the cluster secret. Operators use the head's {@code /api/models}, which needs the admin token.
 */
public final class ModelRepositoryEndpoints implements Ingress.Extension {
    private final ModelRepository repository;
    private final ClusterSecret secret;

    public ModelRepositoryEndpoints(ModelRepository repository, String clusterSecret) {
        this.repository = repository;
        this.secret = new ClusterSecret(clusterSecret);
    }

    @Override
    public void register(Javalin app) {
        app.get("/-/models/{deployment}", ctx -> answer(ctx, repository.list(ctx.pathParam("deployment"))));
        app.post("/-/models/{deployment}/{model}/{action}", this::change);
    }

    private void change(Context ctx) {
        if (!secret.admits(ctx.header(ClusterSecret.HEADER))) {
            Ingress.json(ctx, 403, Map.of("status", 0, "error", "loading and unloading here needs the cluster secret; "
                    + "operators use the head's /api/models with the admin token"));
            return;
        }
        String action = ctx.pathParam("action");
        if (!action.equals("load") && !action.equals("unload")) {
            Ingress.error(ctx, 404, "no such action " + action + "; load or unload");
            return;
        }
        answer(ctx, repository.change(ctx.pathParam("deployment"), ctx.pathParam("model"), action.equals("load"),
                "true".equals(ctx.queryParam("local"))));
    }

    private static void answer(Context ctx, ModelRepository.Answer answer) {
        Ingress.json(ctx, answer.status(), answer.body());
    }
}
