package netpol

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// Config is what the controller needs from the node supervisor.
type Config struct {
	NodeName string
	Logf     func(string, ...any)
	Warnf    func(string, ...any)
}

// Run watches NetworkPolicies, Pods and Namespaces and keeps this node's
// rules in step until ctx ends. Every change (and a resync every 30 s, which
// also puts the hooks back ahead of anything inserted before them) recomputes
// the whole ruleset; an unchanged one is not re-applied.
func Run(ctx context.Context, cs kubernetes.Interface, c Config) {
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { poke() },
		UpdateFunc: func(any, any) { poke() },
		DeleteFunc: func(any) { poke() },
	}
	f := informers.NewSharedInformerFactory(cs, 0)
	pods, nss, pols := f.Core().V1().Pods(), f.Core().V1().Namespaces(), f.Networking().V1().NetworkPolicies()
	for _, inf := range []cache.SharedIndexInformer{pods.Informer(), nss.Informer(), pols.Informer()} {
		_, _ = inf.AddEventHandler(h)
	}
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), pods.Informer().HasSynced, nss.Informer().HasSynced, pols.Informer().HasSynced) {
		return
	}
	c.Logf("network policy controller: watching NetworkPolicies, Pods and Namespaces (chain %s)", MainChain)
	last := ""
	poke()
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
			// Let a burst of changes (a Deployment's pods) settle into one sync.
			time.Sleep(100 * time.Millisecond)
		case <-time.After(30 * time.Second):
			last = "" // re-apply: someone may have flushed our chains
		}
		pl, _ := pols.Lister().List(labels.Everything())
		po, _ := pods.Lister().List(labels.Everything())
		ns, _ := nss.Lister().List(labels.Everything())
		rs := Compute(c.NodeName, pl, po, ns)
		if err := apply(rs, &last); err != nil {
			c.Warnf("network policy: %v", err)
			last = ""
		}
	}
}

// apply installs rs: sets first (new names for changed content), then the
// chains in one iptables-restore, then the hooks, then the sets nothing uses.
func apply(rs Ruleset, last *string) error {
	existing, err := ourChains()
	if err != nil {
		return err
	}
	text := rs.IptablesRestore(existing)
	if text+rs.IpsetRestore() != *last {
		if s := rs.IpsetRestore(); s != "" {
			if out, err := runIn(s, "ipset", "restore", "-exist"); err != nil {
				return fmt.Errorf("ipset restore: %v %s", err, out)
			}
		}
		if out, err := runIn(text, "iptables-restore", "-w", "--noflush"); err != nil {
			return fmt.Errorf("iptables-restore: %v %s", err, out)
		}
		*last = text + rs.IpsetRestore()
	}
	if err := ensureHooks(); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, s := range rs.Sets {
		want[s.Name] = true
	}
	out, err := runIn("", "ipset", "list", "-n")
	if err != nil {
		return fmt.Errorf("ipset list: %v %s", err, out)
	}
	for _, name := range strings.Fields(out) {
		if strings.HasPrefix(name, Prefix) && !want[name] {
			_, _ = runIn("", "ipset", "destroy", name)
		}
	}
	return nil
}

func ourChains() ([]string, error) {
	out, err := runIn("", "iptables-save", "-t", "filter")
	if err != nil {
		return nil, fmt.Errorf("iptables-save: %v", err)
	}
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, ":"+Prefix) {
			names = append(names, strings.Fields(l[1:])[0])
		}
	}
	return names, nil
}

// ensureHooks puts the jump to MainChain first in FORWARD and INPUT unless
// it is already ahead of every other jump or verdict. It never accepts, so
// whatever stays ahead of it (the platform's egress chain) keeps its say.
func ensureHooks() error {
	for _, hook := range []string{"FORWARD", "INPUT"} {
		out, err := runIn("", "iptables", "-w", "-S", hook)
		if err != nil {
			return fmt.Errorf("iptables -S %s: %v %s", hook, err, out)
		}
		if hookFirstEnough(out, hook) {
			continue
		}
		for {
			if _, err := runIn("", "iptables", "-w", "-D", hook, "-j", MainChain); err != nil {
				break
			}
		}
		if out, err := runIn("", "iptables", "-w", "-I", hook, "1", "-j", MainChain); err != nil {
			return fmt.Errorf("hook %s: %v %s", hook, err, out)
		}
	}
	return nil
}

// hookFirstEnough: our jump is there, and only other non-accepting
// SERVICELAB chains (the egress policy) come before it.
func hookFirstEnough(listing, hook string) bool {
	for _, l := range strings.Split(listing, "\n") {
		if !strings.HasPrefix(l, "-A "+hook+" ") {
			continue
		}
		if l == "-A "+hook+" -j "+MainChain {
			return true
		}
		if !strings.HasPrefix(l, "-A "+hook+" -j SERVICELAB-EGRESS") {
			return false
		}
	}
	return false
}

func runIn(stdin, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	return strings.TrimSpace(b.String()), err
}
