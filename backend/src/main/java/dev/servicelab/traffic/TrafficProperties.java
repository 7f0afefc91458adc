package dev.servicelab.traffic;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * @param window how often counters go out to browsers; one message per window, however many requests
 * @param replyTimeout a flow with no answer after this counts as unanswered
 * @param idleClose how long a sandbox's watches and flow streams stay open after its last viewer left
 * @param flowPort the kit's flow observer port on every node
 * @param maxRequests the most requests one "send N requests" may ask for
 * @param concurrency parallel connections when sending requests
 * @param maxRunsPerAccount how many "send N requests" one account may run at once; more are refused (429)
 * @param hiddenNamespaces Services there are the platform's or Kubernetes' own: not drawn, flows to them not counted
 */
@Validated
@ConfigurationProperties("servicelab.traffic")
public record TrafficProperties(
        @DefaultValue("200ms") Duration window,
        @DefaultValue("2s") Duration replyTimeout,
        @DefaultValue("2m") Duration idleClose,
        @DefaultValue("10290") @Min(1) @Max(65535) int flowPort,
        @DefaultValue("5000") @Min(1) int maxRequests,
        @DefaultValue("16") @Min(1) int concurrency,
        @DefaultValue("2") @Min(1) int maxRunsPerAccount,
        @DefaultValue({"kube-system", "kube-public", "kube-node-lease", "servicelab-system"}) List<String> hiddenNamespaces) {
}
