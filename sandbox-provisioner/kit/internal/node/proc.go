package node

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

var (
	logMu     sync.Mutex
	startTime = time.Now()
)

// logf prints a supervisor line to stdout (what `docker logs` shows).
func logf(format string, a ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(os.Stdout, "time=%q level=info msg=%q\n", time.Now().UTC().Format(time.RFC3339Nano), fmt.Sprintf(format, a...))
}

func warnf(format string, a ...any) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(os.Stdout, "time=%q level=warning msg=%q\n", time.Now().UTC().Format(time.RFC3339Nano), fmt.Sprintf(format, a...))
}

func since() string { return time.Since(startTime).Round(100 * time.Millisecond).String() }

// proc is one supervised child process, restarted when it exits.
type proc struct {
	name string
	path string // executable; "" means this binary (multi-call)
	args []string
	env  []string

	mu      sync.Mutex
	cmd     *exec.Cmd
	stopped bool
}

var (
	procsMu sync.Mutex
	procs   []*proc
)

func startProc(name, path string, args []string, env ...string) *proc {
	p := &proc{name: name, path: path, args: args, env: env}
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()
	go p.run()
	return p
}

func (p *proc) logWriter(mirror bool) io.WriteCloser {
	_ = os.MkdirAll(ComponentLogDir, 0o755)
	f, err := os.OpenFile(filepath.Join(ComponentLogDir, p.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		f = nil
	}
	pr, pw := io.Pipe()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			line := sc.Text()
			if f != nil {
				fmt.Fprintln(f, line)
			}
			if mirror {
				logMu.Lock()
				fmt.Fprintf(os.Stdout, "[%s] %s\n", p.name, line)
				logMu.Unlock()
			}
		}
		if f != nil {
			f.Close()
		}
	}()
	return pw
}

var mirrorLogs bool

func (p *proc) run() {
	backoff := time.Second
	for {
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			return
		}
		path := p.path
		if path == "" {
			path = "/proc/self/exe"
		}
		cmd := exec.Command(path, p.args...)
		cmd.Args[0] = p.name
		if p.path != "" {
			cmd.Args[0] = p.path
		}
		cmd.Env = append(os.Environ(), p.env...)
		w := p.logWriter(mirrorLogs)
		cmd.Stdout, cmd.Stderr = w, w
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		p.cmd = cmd
		err := cmd.Start()
		p.mu.Unlock()
		began := time.Now()
		if err == nil {
			err = cmd.Wait()
		}
		w.Close()
		p.mu.Lock()
		stopped := p.stopped
		p.mu.Unlock()
		if stopped {
			return
		}
		if time.Since(began) > time.Minute {
			backoff = time.Second
		}
		warnf("%s exited (%v); restarting in %s; last lines of %s:\n%s", p.name, err, backoff,
			filepath.Join(ComponentLogDir, p.name+".log"), tailFile(filepath.Join(ComponentLogDir, p.name+".log"), 15))
		time.Sleep(backoff)
		if backoff < 30*time.Second {
			backoff *= 2
		}
	}
}

func (p *proc) stop() {
	p.mu.Lock()
	p.stopped = true
	cmd := p.cmd
	p.mu.Unlock()
	if cmd != nil && cmd.Process != nil {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
}

func stopAll() {
	procsMu.Lock()
	defer procsMu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := splitLines(string(b))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := ""
	for _, l := range lines {
		if len(l) > 400 {
			l = l[:400] + "..."
		}
		out += "    " + l + "\n"
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// run runs a short command to completion, returning combined output.
func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
