/**
 * kube-proxy's rules on a learner's node, read by the platform: the read-only view on the lab page and
 * the {@code kubeProxyRules} check that compares what a learner found there with the real rules.
 */
package dev.servicelab.kubeproxy;
