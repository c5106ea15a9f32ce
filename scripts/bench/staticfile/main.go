// Command staticfile serves one file on 127.0.0.1 with net/http, the floor a
// scrape of the same bytes is compared with (scripts/bench-rss.sh). It
// prints its URL and runs until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
)

func main() {
	file := flag.String("file", "", "the file to serve on every path")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s/\n", ln.Addr())
	log.Fatal(http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, *file) })))
}
