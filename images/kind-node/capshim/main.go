// capshim is an OCI runtime wrapper for the kconn build machines only (never part of what kconn does on a
// user's machine). Their sandbox's capability bounding set lacks CAP_SYS_RESOURCE (CapBnd 000001fffeffffff), so
// runc refuses any container that asks for it ("unable to apply caps: operation not permitted"), and
// `docker run --privileged` (kind's node containers) always asks for every capability. capshim removes
// CAP_SYS_RESOURCE from the OCI spec that runc is about to use, then execs the real runc with the same arguments:
//   - `create` and `run`: the bundle's config.json (`--bundle <dir>`, else the current directory);
//   - `exec`: the process file (`--process <file>`).
//
// Without CAP_SYS_RESOURCE a process may not lower its oom_score_adj either, and runc then dies in nsexec ("failed
// to update /proc/self/oom_score_adj: Permission denied"): kubelet asks -998 for static pods and -997 for
// node-critical ones. capshim raises a lower process.oomScoreAdj to its own (what the sandbox allows).
// Docker uses it as its default runtime (/etc/docker/daemon.json), and the kind node image built here uses it as
// containerd's runc binary, because privileged pods (kube-proxy, CNI agents) meet the same limit inside a node.
// The real runc is $CAPSHIM_RUNC, else the first of /usr/bin/runc, /usr/sbin/runc, /usr/local/sbin/runc.real.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

const dropped = "CAP_SYS_RESOURCE"

func main() {
	args := os.Args[1:]
	if err := patch(args); err != nil {
		fmt.Fprintf(os.Stderr, "capshim: %v\n", err)
		os.Exit(1)
	}
	runc := realRunc()
	if err := syscall.Exec(runc, append([]string{runc}, args...), os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "capshim: exec %s: %v\n", runc, err)
		os.Exit(1)
	}
}

func realRunc() string {
	if p := os.Getenv("CAPSHIM_RUNC"); p != "" {
		return p
	}
	for _, p := range []string{"/usr/bin/runc", "/usr/sbin/runc", "/usr/local/sbin/runc.real"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return "runc"
}

// patch finds the spec file the runc subcommand in args will read and removes the capability from it.
func patch(args []string) error {
	cmd, rest := subcommand(args)
	switch cmd {
	case "create", "run":
		bundle := flagValue(rest, "bundle", "b")
		if bundle == "" {
			bundle = "."
		}
		return patchFile(filepath.Join(bundle, "config.json"), func(spec map[string]any) {
			if p, ok := spec["process"].(map[string]any); ok {
				dropCaps(p)
				clampOomScoreAdj(p)
			}
		})
	case "exec":
		if file := flagValue(rest, "process", "p"); file != "" {
			return patchFile(file, dropCaps)
		}
	}
	return nil
}

// subcommand skips runc's global flags (--root <dir>, --log <file>, --log-format <fmt>, --systemd-cgroup, ...).
func subcommand(args []string) (string, []string) {
	withValue := map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 0 && a[0] == '-' {
			if withValue[a] {
				i++
			}
			continue
		}
		return a, args[i+1:]
	}
	return "", nil
}

func flagValue(args []string, long, short string) string {
	for i, a := range args {
		for _, name := range []string{"--" + long, "-" + long, "-" + short} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if len(a) > len(name) && a[:len(name)+1] == name+"=" {
				return a[len(name)+1:]
			}
		}
	}
	return ""
}

func dropCaps(process map[string]any) {
	caps, ok := process["capabilities"].(map[string]any)
	if !ok {
		return
	}
	for set, v := range caps {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, c := range list {
			if c != dropped {
				kept = append(kept, c)
			}
		}
		caps[set] = kept
	}
}

func clampOomScoreAdj(process map[string]any) {
	want, ok := process["oomScoreAdj"].(float64)
	if !ok {
		return
	}
	data, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return
	}
	var own float64
	if _, err := fmt.Sscan(string(data), &own); err == nil && want < own {
		process["oomScoreAdj"] = own
	}
}

func patchFile(path string, edit func(map[string]any)) error {
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil // let runc report its own error
		}
		return err
	}
	var spec map[string]any
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	edit(spec)
	out, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, st.Mode().Perm())
}
