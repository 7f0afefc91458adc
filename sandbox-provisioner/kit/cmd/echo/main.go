// Command echo is ServiceLab's lab workload: an HTTP server that tells who
// answered (pod name, pod IP, node) and who asked (client address), so that
// learners can see load balancing, traffic policies and source NAT at work.
//
// Environment:
//
//	PORT          port to listen on (default 8080)
//	PORTS         several ports, comma separated (e.g. 8080,9090); overrides PORT
//	POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME  usually set with the downward API
//	MESSAGE       optional text included in every answer
//	TCP_PORTS     optional ports for a line-based "db-like" TCP echo mode
//	READY_DELAY   optional duration before /readyz answers 200 (e.g. 5s)
//
// Paths: every path answers; /healthz and /readyz are probes; /status/NNN
// answers with that status code; /delay/DURATION sleeps first.
// Answers are JSON when the client accepts application/json (or ?format=json),
// plain text otherwise.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	hostname, _ = os.Hostname()
	started     = time.Now()
	requests    atomic.Int64
)

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func podIP() string {
	if v := os.Getenv("POD_IP"); v != "" {
		return v
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

type answer struct {
	Pod        string            `json:"pod"`
	Namespace  string            `json:"namespace,omitempty"`
	PodIP      string            `json:"podIP"`
	Node       string            `json:"node,omitempty"`
	ServerPort string            `json:"serverPort"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Query      string            `json:"query,omitempty"`
	Host       string            `json:"host"`
	Client     string            `json:"client"`
	ClientIP   string            `json:"clientIP"`
	Forwarded  string            `json:"forwardedFor,omitempty"`
	Message    string            `json:"message,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Request    int64             `json:"request"`
	Time       string            `json:"time"`
}

func handler(port string) http.Handler {
	ip := podIP()
	readyAt := started
	if d, err := time.ParseDuration(os.Getenv("READY_DELAY")); err == nil {
		readyAt = started.Add(d)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if time.Now().Before(readyAt) {
			http.Error(w, "not ready yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if rest, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 100 && n < 600 {
				status = n
			}
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/delay/"); ok {
			if d, err := time.ParseDuration(rest); err == nil && d <= 5*time.Minute {
				time.Sleep(d)
			}
		}
		clientIP, _, _ := net.SplitHostPort(r.RemoteAddr)
		a := answer{
			Pod: env("POD_NAME", hostname), Namespace: os.Getenv("POD_NAMESPACE"), PodIP: ip,
			Node: os.Getenv("NODE_NAME"), ServerPort: port, Method: r.Method, Path: r.URL.Path,
			Query: r.URL.RawQuery, Host: r.Host, Client: r.RemoteAddr, ClientIP: clientIP,
			Forwarded: r.Header.Get("X-Forwarded-For"), Message: os.Getenv("MESSAGE"),
			Request: requests.Add(1), Time: time.Now().UTC().Format(time.RFC3339Nano),
		}
		wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json") || r.URL.Query().Get("format") == "json"
		if wantJSON {
			a.Headers = map[string]string{}
			for k, v := range r.Header {
				a.Headers[k] = strings.Join(v, ", ")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			_ = enc.Encode(a)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "pod: %s\n", a.Pod)
		if a.Namespace != "" {
			fmt.Fprintf(w, "namespace: %s\n", a.Namespace)
		}
		fmt.Fprintf(w, "pod IP: %s\nnode: %s\nserver port: %s\nrequest: %s %s\nhost: %s\nclient: %s\n",
			a.PodIP, a.Node, port, a.Method, r.URL.RequestURI(), a.Host, a.Client)
		if a.Forwarded != "" {
			fmt.Fprintf(w, "x-forwarded-for: %s\n", a.Forwarded)
		}
		if a.Message != "" {
			fmt.Fprintf(w, "message: %s\n", a.Message)
		}
	})
	return logRequests(mux)
}

func logRequests(h http.Handler) http.Handler {
	quiet := os.Getenv("QUIET") != ""
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if !quiet && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
			log.Printf("%s %s %s from %s", r.Method, r.Host, r.URL.RequestURI(), r.RemoteAddr)
		}
	})
}

// tcpEcho is a line-based "db-like" server: it greets with its identity and
// echoes every line back, which is enough to show TCP Services working.
func tcpEcho(port string) {
	l, err := net.Listen("tcp", ":"+port)
	if err != nil {
		log.Fatalf("tcp listen %s: %v", port, err)
	}
	log.Printf("tcp echo listening on :%s", port)
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			fmt.Fprintf(c, "HELLO from %s (%s) on %s\n", env("POD_NAME", hostname), podIP(), os.Getenv("NODE_NAME"))
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				line := sc.Text()
				if strings.EqualFold(strings.TrimSpace(line), "quit") {
					return
				}
				fmt.Fprintf(c, "%s\n", line)
			}
		}(c)
	}
}

func splitPorts(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func main() {
	log.SetFlags(log.LstdFlags | log.LUTC)
	ports := splitPorts(env("PORTS", env("PORT", "8080")))
	for _, p := range splitPorts(os.Getenv("TCP_PORTS")) {
		go tcpEcho(p)
	}
	for _, p := range ports {
		srv := &http.Server{Addr: ":" + p, Handler: handler(p), ReadHeaderTimeout: 10 * time.Second}
		go func(p string) {
			log.Printf("echo listening on :%s (pod %s)", p, env("POD_NAME", hostname))
			if err := srv.ListenAndServe(); err != nil {
				log.Fatalf("listen :%s: %v", p, err)
			}
		}(p)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	<-sigs
	log.Printf("shutting down")
}
