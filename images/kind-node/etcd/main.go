// etcd for the kind node image: the etcd server's own entry point (go.etcd.io/etcd/server/v3/etcdmain), built from
// its published module; etcd's main module (go.etcd.io/etcd/v3) replaces its parts with local folders, which
// `go install` refuses.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
