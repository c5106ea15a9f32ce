// Command detailedcsv measures the reading of a detailed usage report export
// (docs/performance.md): "gen" writes a generated export to a file, "read"
// reads it with the exporter's streaming reader (githubapi.DetailedReader,
// every row decoded, numbers included) or with encoding/csv (ReuseRecord;
// records only, or records and the four figures parsed with strconv), and
// prints the CPU-seconds and the peak RSS of the process. Run each reader
// in its own process under /usr/bin/time -v for an RSS of its own.
package main

import (
	"bufio"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
)

func main() {
	rows := flag.Int("rows", 5_000_000, "gen: rows of the export")
	reader := flag.String("reader", "stream", "read: stream, encoding-csv or encoding-csv-numbers")
	flag.Parse()
	if flag.NArg() != 2 {
		log.Fatal("usage: detailedcsv [flags] gen|read FILE")
	}
	file := flag.Arg(1)
	switch flag.Arg(0) {
	case "gen":
		f, err := os.Create(file)
		if err != nil {
			log.Fatal(err)
		}
		n, err := benchdata.DetailedExport{Rows: *rows, Year: 2026, Month: time.November}.WriteTo(f)
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("wrote %d rows, %d bytes\n", *rows, n)
	case "read":
		f, err := os.Open(file)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		start := cpu()
		n, check, err := read(*reader, f)
		if err != nil {
			log.Fatal(err)
		}
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru) //nolint:errcheck // Linux fills it
		fmt.Printf("%s: %d rows, net sum %.2f, %.2f CPU-s, peak RSS %d MB\n", *reader, n, check, (cpu() - start).Seconds(), ru.Maxrss/1024)
	default:
		log.Fatal("usage: detailedcsv [flags] gen|read FILE")
	}
}

func read(reader string, f io.Reader) (rows int, net float64, err error) {
	switch reader {
	case "stream":
		d := &githubapi.DetailedReader{}
		err = d.Part(f, func(r *githubapi.DetailedUsageRow) error {
			net += r.NetAmount
			return nil
		})
		return d.Rows(), net, err
	case "encoding-csv", "encoding-csv-numbers":
		cr := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
		cr.ReuseRecord = true
		if _, err := cr.Read(); err != nil {
			return 0, 0, err
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return rows, net, nil
			}
			if err != nil {
				return rows, net, err
			}
			rows++
			if reader == "encoding-csv-numbers" {
				for _, i := range []int{3, 6, 7, 8} {
					v, err := strconv.ParseFloat(rec[i], 64)
					if err != nil {
						return rows, net, err
					}
					if i == 8 {
						net += v
					}
				}
			}
		}
	}
	return 0, 0, fmt.Errorf("unknown reader %q", reader)
}

// cpu is the process's user and system time so far.
func cpu() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru) //nolint:errcheck // Linux fills it
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
