module kconn.local/capshim

go 1.26
