package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The two edits the shim makes to an OCI process, pinned (regressions of the real kind runs on the build machines).

func TestDropCapsRemovesOnlySysResourceFromEverySet(t *testing.T) {
	p := map[string]any{"capabilities": map[string]any{
		"bounding":  []any{"CAP_NET_ADMIN", dropped, "CAP_SYS_ADMIN"},
		"effective": []any{dropped},
		"ambient":   []any{},
	}}
	dropCaps(p)
	caps := p["capabilities"].(map[string]any)
	if got := caps["bounding"].([]any); len(got) != 2 || got[0] != "CAP_NET_ADMIN" || got[1] != "CAP_SYS_ADMIN" {
		t.Fatalf("bounding = %v", got)
	}
	if got := caps["effective"].([]any); len(got) != 0 {
		t.Fatalf("effective = %v", got)
	}
}

// kubelet asks -998 for critical pods; lowering oom_score_adj needs CAP_SYS_RESOURCE, and runc's nsexec then dies
// with "can't get final child's PID from pipe: EOF". The shim raises a lower value to its own, never a higher one.
func TestClampOomScoreAdjRaisesALowerValueToTheShimsOwn(t *testing.T) {
	data, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		t.Skip("no /proc/self/oom_score_adj")
	}
	own, _ := strconv.ParseFloat(strings.TrimSpace(string(data)), 64)
	low := map[string]any{"oomScoreAdj": own - 1}
	clampOomScoreAdj(low)
	if low["oomScoreAdj"] != own {
		t.Fatalf("lower value: got %v, want %v", low["oomScoreAdj"], own)
	}
	high := map[string]any{"oomScoreAdj": own + 1}
	clampOomScoreAdj(high)
	if high["oomScoreAdj"] != own+1 {
		t.Fatalf("higher value changed: %v", high["oomScoreAdj"])
	}
	none := map[string]any{}
	clampOomScoreAdj(none)
	if _, set := none["oomScoreAdj"]; set {
		t.Fatal("set a value where none was asked")
	}
}
