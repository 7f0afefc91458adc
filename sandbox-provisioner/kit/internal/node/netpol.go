package node

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"servicelab.dev/kit/internal/netpol"
)

// netpolReader lets every node's credentials read what the policy controller
// watches; the server grants it only when it enforces policies itself.
const netpolReader = "servicelab:network-policy-reader"

// startNetworkPolicy runs the NetworkPolicy controller unless it is disabled.
// An agent cannot be told the server's setting (k3s's agent learns it from
// its server): it follows the server's grant of netpolReader, so a sandbox
// started with --disable-network-policy runs no controller on any node.
func startNetworkPolicy(ctx context.Context, cs *kubernetes.Clientset, c *Config) {
	if !c.NetworkPolicy {
		return
	}
	if c.Mode == "agent" {
		for {
			_, err := cs.NetworkingV1().NetworkPolicies("").List(ctx, metav1.ListOptions{Limit: 1})
			if err == nil {
				break
			}
			if apierrors.IsForbidden(err) {
				logf("network policy: the server does not enforce NetworkPolicies (it was started with --disable-network-policy)")
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Second):
			}
		}
	}
	netpol.Run(ctx, cs, netpol.Config{NodeName: c.NodeName, Logf: logf, Warnf: warnf})
}
