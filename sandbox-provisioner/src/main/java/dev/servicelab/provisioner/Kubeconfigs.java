package dev.servicelab.provisioner;

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

    /**
     * fabric8 takes a PKCS#8 key ("BEGIN PRIVATE KEY") for RSA unless told otherwise; Kubernetes
     * distributions commonly write EC keys that way, so find out which algorithm the key really is.
     */
    static java.util.Optional<String> keyAlgorithm(String base64Pem) {
        if (base64Pem == null) {
            return java.util.Optional.empty();
        }
        String pem = new String(java.util.Base64.getDecoder().decode(base64Pem.strip()), java.nio.charset.StandardCharsets.US_ASCII);
        if (!pem.contains("BEGIN PRIVATE KEY")) {
            return java.util.Optional.empty();
        }
        byte[] der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        for (String algorithm : java.util.List.of("EC", "RSA")) {
            try {
                java.security.KeyFactory.getInstance(algorithm).generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
                return java.util.Optional.of(algorithm);
            } catch (java.security.GeneralSecurityException e) {
                // not this algorithm
            }
        }
        return java.util.Optional.empty();
    }

    /** A client for a sandbox, with timeouts that suit a small cluster on a busy host. */
    public static KubernetesClient client(String kubeconfig) {
        Config config = Config.fromKubeconfig(kubeconfig);
        keyAlgorithm(config.getClientKeyData()).ifPresent(config::setClientKeyAlgo);
        config.setConnectionTimeout(5_000);
        config.setRequestTimeout(15_000);
        config.setRequestRetryBackoffLimit(1);
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
