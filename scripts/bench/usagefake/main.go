// Command usagefake serves a generated usage report of -rows rows for the
// organization "big" on 127.0.0.1, for measuring the exporter process
// (scripts/bench-rss.sh). It prints the API URL and runs until killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "rows in the usage report")
	repos := flag.Int("repositories", 0, "distinct repositories the rows spread over (0: the generator's default)")
	flag.Parse()
	d := fakegithub.NewDataset()
	d.Organizations["big"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	srv, err := fakegithub.New(d)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	now := time.Now().UTC()
	report := benchdata.UsageReport{Rows: *rows, Repositories: *repos, Year: now.Year(), Month: now.Month()}
	srv.Override("/organizations/big/settings/billing/usage", report.Handler())
	fmt.Println(srv.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
