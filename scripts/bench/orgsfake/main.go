// Command orgsfake serves -orgs organizations, each with the demo's acme-web
// organization's data, on 127.0.0.1, for measuring the exporter process with
// many accounts (scripts/bench-rss.sh, ORGS=n). It prints the API URL, writes
// the organizations' names to -names, and runs until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

func main() {
	orgs := flag.Int("orgs", 5_000, "organizations to serve")
	names := flag.String("names", "", "file to write the organizations' names to, one a line")
	flag.Parse()
	company := demo.Dataset(time.Now())
	d := fakegithub.NewDataset()
	var list strings.Builder
	for i := range *orgs {
		org := *company.Organizations[demo.OrgWeb]
		name := fmt.Sprintf("org-%04d", i)
		d.Organizations[name] = &org
		list.WriteString(name + "\n")
	}
	if *names != "" {
		if err := os.WriteFile(*names, []byte(list.String()), 0o600); err != nil {
			log.Fatal(err)
		}
	}
	srv, err := fakegithub.New(d)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	// Off the rate limit: the measure is the exporter, not the limit.
	srv.SetRateLimitRemaining(1 << 40)
	fmt.Println(srv.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
