package netpol

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
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

// SyncedAnnotation on a Node says up to which resourceVersion of the
// NetworkPolicies, Pods and Namespaces it has seen the node's rules are in
// force. A client that wrote a policy (or a label) waits until every node
// shows at least that object's resourceVersion before sending traffic that
// depends on it: a timed wait is either slow or, under load, wrong.
const SyncedAnnotation = "servicelab.dev/network-policy-synced"

// Run watches NetworkPolicies, Pods and Namespaces and keeps this node's
// rules in step until ctx ends. Every change (and a resync every 30 s, which
// also puts the hooks back ahead of anything inserted before them) recomputes
// the whole ruleset; an unchanged one is not re-applied. After each sync the
// node's SyncedAnnotation is raised to the newest resourceVersion seen.
func Run(ctx context.Context, cs kubernetes.Interface, c Config) {
	kick := make(chan struct{}, 1)
	poke := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	// The newest resourceVersion of any event: the informers update their
	// stores before they call handlers, so a sync that reads it first and
	// the stores after has seen everything up to it.
	var seen atomic.Uint64
	note := func(obj any) {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			if rv, err := strconv.ParseUint(m.GetResourceVersion(), 10, 64); err == nil {
				for {
					old := seen.Load()
					if rv <= old || seen.CompareAndSwap(old, rv) {
						break
					}
				}
			}
		}
		poke()
	}
	h := cache.ResourceEventHandlerFuncs{
		AddFunc:    note,
		UpdateFunc: func(_, obj any) { note(obj) },
		DeleteFunc: note,
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
	acked := uint64(0)
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
		upTo := seen.Load()
		pl, _ := pols.Lister().List(labels.Everything())
		po, _ := pods.Lister().List(labels.Everything())
		ns, _ := nss.Lister().List(labels.Everything())
		rs := Compute(c.NodeName, pl, po, ns)
		if err := apply(rs, &last); err != nil {
			c.Warnf("network policy: %v", err)
			last = ""
			continue
		}
		if upTo != acked {
			if err := acknowledge(ctx, cs, c.NodeName, upTo); err != nil {
				c.Warnf("network policy: acknowledging resourceVersion %d: %v", upTo, err)
				time.AfterFunc(time.Second, poke) // try again soon: a client is waiting for it
				continue
			}
			acked = upTo
		}
	}
}

func acknowledge(ctx context.Context, cs kubernetes.Interface, node string, rv uint64) error {
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, SyncedAnnotation, strconv.FormatUint(rv, 10))
	_, err := cs.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
	return err
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
