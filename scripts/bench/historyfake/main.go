// Command historyfake serves benchdata.History (an enterprise with
// -cost-centers cost centers and -orgs organizations, with 24 months of daily
// history) on 127.0.0.1 with -latency per answer, for measuring the backfill
// command (scripts/bench-backfill.sh). It prints the API URL and runs until
// killed. Its rate-limit headers never reach 0.
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
	orgs := flag.Int("orgs", 10, "organizations of the enterprise")
	centers := flag.Int("cost-centers", 2, "cost centers of the enterprise")
	latency := flag.Duration("latency", 100*time.Millisecond, "delay of every answer")
	flag.Parse()
	srv, err := fakegithub.New(benchdata.History(time.Now(), *orgs, *centers))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	srv.SetLatency(*latency)
	srv.SetRateLimitRemaining(1 << 40)
	fmt.Println(srv.URL)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
