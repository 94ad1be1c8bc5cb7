// Command gen writes Tandem's third-party licence file:
//
//	go run ./cmd/tandem/internal/licenses/gen -o cmd/tandem/third_party_licenses.txt
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tandem-crm/tandem/cmd/tandem/internal/licenses"
)

func main() {
	out := flag.String("o", "third_party_licenses.txt", "file to write")
	dir := flag.String("C", ".", "the module's root")
	flag.Parse()
	text, err := licenses.Generate(*dir, "./cmd/tandem", "migrated_fynedo")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
