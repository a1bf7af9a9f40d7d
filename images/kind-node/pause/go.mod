module kconn.local/kind-node/pause

go 1.26
