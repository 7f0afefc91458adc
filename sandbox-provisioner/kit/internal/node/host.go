package node

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// nodeIP picks the address of the interface that holds the default route,
// else the first global IPv4 address.
func nodeIP() string {
	if b, err := os.ReadFile("/proc/net/route"); err == nil {
		for _, l := range splitLines(string(b))[1:] {
			f := strings.Fields(l)
			if len(f) > 2 && f[1] == "00000000" {
				if ip := ifaceIPv4(f[0]); ip != "" {
					return ip
				}
			}
		}
	}
	ifs, _ := net.Interfaces()
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback != 0 || strings.HasPrefix(i.Name, "cni") || strings.HasPrefix(i.Name, "veth") {
			continue
		}
		if ip := ifaceIPv4(i.Name); ip != "" {
			return ip
		}
	}
	return "127.0.0.1"
}

func ifaceIPv4(name string) string {
	i, err := net.InterfaceByName(name)
	if err != nil {
		return ""
	}
	addrs, _ := i.Addrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsGlobalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

func sysctlSet(name, val string) {
	p := "/proc/sys/" + strings.ReplaceAll(name, ".", "/")
	if err := os.WriteFile(p, []byte(val), 0o644); err != nil {
		warnf("sysctl %s=%s: %v", name, val, err)
	}
}

// maskKernelTunables keeps the kubelet from rewriting host-wide kernel
// settings (kernel.panic, vm.overcommit_memory...) through a privileged
// container's /proc/sys: it shows the kubelet the values it wants by
// bind-mounting small files over those entries, in this mount namespace only.
func maskKernelTunables() {
	want := map[string]string{
		"vm/overcommit_memory":      "1",
		"vm/panic_on_oom":           "0",
		"kernel/panic":              "10",
		"kernel/panic_on_oops":      "1",
		"kernel/keys/root_maxkeys":  "1000000",
		"kernel/keys/root_maxbytes": "25000000",
	}
	dir := "/run/servicelab/sysctl"
	_ = os.MkdirAll(dir, 0o755)
	for k, v := range want {
		p := "/proc/sys/" + k
		cur, err := os.ReadFile(p)
		if err != nil || strings.TrimSpace(string(cur)) == v {
			continue
		}
		f := filepath.Join(dir, strings.ReplaceAll(k, "/", "."))
		if err := os.WriteFile(f, []byte(v+"\n"), 0o444); err != nil {
			continue
		}
		if err := syscall.Mount(f, p, "", syscall.MS_BIND, ""); err != nil {
			warnf("could not mask %s: %v (the kubelet will set it to %s)", p, err, v)
		}
	}
}

// cgroupSetup makes the container's cgroups usable by a nested kubelet.
// Returns the kubelet's cgroupRoot.
//
// cgroup v1 (no cgroup namespace): /sys/fs/cgroup/<ctrl> shows only this
// container's own cgroup, while /proc/self/cgroup names its full host path
// (/docker/<id>). As kind does, bind-mount each hierarchy onto that path
// inside itself so that both views resolve; the kubelet then creates
// /kubepods, which really is /docker/<id>/kubepods on the host.
//
// When the host's whole cgroup v1 tree is bind-mounted in (K3sContainer does
// -v /sys/fs/cgroup:/sys/fs/cgroup with --cgroupns=host) the kubelet's cgroup
// root is our own cgroup instead.
//
// cgroup v2: move our processes into a child "init" cgroup (a cgroup with
// processes cannot delegate controllers) and enable every controller for
// children; kubelet pods go under our own cgroup.
func cgroupSetup() string {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return cgroupV2Setup()
	}
	self := map[string]string{}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, l := range splitLines(string(b)) {
			parts := strings.SplitN(l, ":", 3)
			if len(parts) == 3 {
				for _, ctrl := range strings.Split(parts[1], ",") {
					self[ctrl] = parts[2]
				}
			}
		}
	}
	mi, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "/"
	}
	defer mi.Close()
	sc := bufio.NewScanner(mi)
	type m struct{ point, path string }
	var todo []m
	fullView := "" // our cgroup, when the whole host hierarchy is mounted
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// id parent maj:min root mountpoint opts ... - fstype source superopts
		sep := -1
		for i, x := range f {
			if x == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || sep+1 >= len(f) || f[sep+1] != "cgroup" {
			continue
		}
		point := f[4]
		if !strings.HasPrefix(point, "/sys/fs/cgroup/") {
			continue
		}
		ctrls := strings.Split(filepath.Base(point), ",")
		var p string
		for _, c := range ctrls {
			if v, ok := self[c]; ok {
				p = v
				break
			}
			if v, ok := self["name="+c]; ok {
				p = v
				break
			}
		}
		if p == "" || p == "/" {
			continue
		}
		if f[3] == "/" {
			// -v /sys/fs/cgroup:/sys/fs/cgroup --cgroupns=host (what
			// Testcontainers' K3sContainer does): every host cgroup is
			// visible. Pods must go under our own cgroup, never /kubepods
			// shared with the host and with other sandboxes.
			fullView = p
			continue
		}
		todo = append(todo, m{point, p})
	}
	for _, x := range todo {
		target := filepath.Join(x.point, x.path)
		if _, err := os.Stat(filepath.Join(target, "cgroup.procs")); err == nil {
			continue // already done (restart)
		}
		if err := os.MkdirAll(target, 0o755); err != nil {
			warnf("cgroup fix %s: %v", target, err)
			continue
		}
		if err := syscall.Mount(x.point, target, "", syscall.MS_BIND, ""); err != nil {
			warnf("cgroup fix bind %s: %v", target, err)
		}
	}
	if fullView != "" {
		return fullView
	}
	return "/"
}

func cgroupV2Setup() string {
	own := "/"
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, l := range splitLines(string(b)) {
			if strings.HasPrefix(l, "0::") {
				own = strings.TrimPrefix(l, "0::")
			}
		}
	}
	base := filepath.Join("/sys/fs/cgroup", own)
	initDir := filepath.Join(base, "init")
	if filepath.Base(own) == "init" { // restarted supervisor: already moved
		own = filepath.Dir(own)
		return own
	}
	_ = os.MkdirAll(initDir, 0o755)
	if b, err := os.ReadFile(filepath.Join(base, "cgroup.procs")); err == nil {
		for _, pid := range strings.Fields(string(b)) {
			_ = os.WriteFile(filepath.Join(initDir, "cgroup.procs"), []byte(pid), 0o644)
		}
	}
	if b, err := os.ReadFile(filepath.Join(base, "cgroup.controllers")); err == nil {
		var en []string
		for _, c := range strings.Fields(string(b)) {
			en = append(en, "+"+c)
		}
		if err := os.WriteFile(filepath.Join(base, "cgroup.subtree_control"), []byte(strings.Join(en, " ")), 0o644); err != nil {
			warnf("cgroup v2: enabling controllers %v: %v", en, err)
		}
	}
	return own
}

// resolvConf writes the resolv.conf that the kubelet gives dnsPolicy=Default
// pods (CoreDNS among them) and returns it with the usable upstream servers:
// loopback resolvers (Docker's 127.0.0.11) do not work from a pod.
func resolvConf() (string, []string) {
	var servers, other []string
	if b, err := os.ReadFile("/etc/resolv.conf"); err == nil {
		for _, l := range splitLines(string(b)) {
			f := strings.Fields(l)
			if len(f) >= 2 && f[0] == "nameserver" {
				if ip := net.ParseIP(f[1]); ip != nil && !ip.IsLoopback() {
					servers = append(servers, f[1])
				}
			} else if len(f) >= 2 && (f[0] == "search" || f[0] == "options") {
				other = append(other, l)
			}
		}
	}
	if v := os.Getenv("SERVICELAB_UPSTREAM_DNS"); v != "" {
		servers = strings.Split(v, ",")
	}
	var sb strings.Builder
	sb.WriteString("# ServiceLab node: upstream resolvers for dnsPolicy=Default pods\n")
	for _, s := range servers {
		fmt.Fprintf(&sb, "nameserver %s\n", s)
	}
	for _, o := range other {
		sb.WriteString(o + "\n")
	}
	p := agentDir("etc", "resolv.conf")
	if err := writeFile(p, sb.String(), 0o644); err != nil {
		warnf("resolv.conf: %v", err)
	}
	return p, servers
}

// iptablesMode uses nft when the kernel has it, else legacy, and points the
// iptables alternatives there so the kubelet, kube-proxy, CNI and learners all
// see the same rules.
func iptablesMode() string {
	mode := "nft"
	if _, err := run("iptables-nft", "-w", "-t", "nat", "-L", "-n"); err != nil {
		mode = "legacy"
	}
	if v := os.Getenv("SERVICELAB_IPTABLES"); v == "nft" || v == "legacy" {
		mode = v
	}
	for _, t := range []string{"iptables", "ip6tables"} {
		if out, err := run("update-alternatives", "--set", t, "/usr/sbin/"+t+"-"+mode); err != nil {
			warnf("update-alternatives %s: %v %s", t, err, out)
		}
	}
	return mode
}
