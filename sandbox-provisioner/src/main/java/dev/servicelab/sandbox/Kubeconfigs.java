package dev.servicelab.sandbox;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers for the admin kubeconfig a sandbox node writes. */
public final class Kubeconfigs {

    private static final Pattern SERVER = Pattern.compile("(?m)^(\\s*server:\\s*).*$");

    private Kubeconfigs() {
    }

    /** Points the kubeconfig's cluster at the address the platform reaches the API server by. */
    public static String withServer(String kubeconfig, String serverUrl) {
        return SERVER.matcher(kubeconfig).replaceAll("$1" + Matcher.quoteReplacement(serverUrl));
    }

    /** A client for a sandbox, with timeouts that suit a small cluster on a busy host. */
    public static KubernetesClient client(String kubeconfig) {
        Config config = Config.fromKubeconfig(kubeconfig);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(15_000);
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
