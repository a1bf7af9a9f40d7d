// Checks Grafana dashboard JSON files (the classic model) against Grafana's dashboard schema as the Grafana
// Foundation SDK generates it from Grafana's own schema (github.com/grafana/grafana-foundation-sdk/go, dashboard
// package): a strict decode (unknown fields, wrong types and missing required fields are errors), panel options
// decoded by their panel plugin's schema (cog/plugins.RegisterDefaultPlugins), then the schema's constraints
// (Validate). Prints one line per problem and exits 1 when a file has any.
//
//	go run . FILE...
package main

import (
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// problems is err unless it is an empty cog.BuildErrors: the SDK returns its error list typed, so a list with no
// error is a non-nil error interface (https://go.dev/doc/faq#nil_error).
func problems(err error) error {
	if be, ok := err.(cog.BuildErrors); ok && len(be) == 0 {
		return nil
	}
	return err
}

func main() {
	plugins.RegisterDefaultPlugins()
	failed := false
	for _, path := range os.Args[1:] {
		raw, err := os.ReadFile(path)
		if err != nil {
			fmt.Printf("%s: %v\n", path, err)
			failed = true
			continue
		}
		var d dashboard.Dashboard
		if err := problems(d.UnmarshalJSONStrict(raw)); err != nil {
			fmt.Printf("%s: %v\n", path, err)
			failed = true
			continue
		}
		if err := problems(d.Validate()); err != nil {
			fmt.Printf("%s: %v\n", path, err)
			failed = true
			continue
		}
		fmt.Printf("%s: valid (%d panels)\n", path, len(d.Panels))
	}
	if failed || len(os.Args) < 2 {
		os.Exit(1)
	}
}
