// Command modfromzip fills a local GOPROXY directory (file:// protocol) with the .mod and
// .zip files of the given module versions, taking the go.mod from inside the module zip.
//
// It exists for module proxies that serve a module version's .zip but refuse its .mod:
// the go command needs both. Put the directory first in GOPROXY, e.g.
//
//	go run ./internal/modfromzip -dir "$dir" example.com/mod@v1.2.3
//	GOPROXY="file://$dir,$(go env GOPROXY)" go build ...
//
// Nothing is trusted blindly: the go command still verifies both files against go.sum.
// Only the standard library is used, so this runs on a machine that has nothing but Go.
package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

func main() {
	dir := flag.String("dir", "", "local proxy directory to fill (required)")
	flag.Parse()
	if *dir == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: modfromzip -dir DIR module@version...")
		os.Exit(2)
	}
	proxies, err := proxyURLs()
	if err != nil {
		fail(err)
	}
	for _, arg := range flag.Args() {
		path, version, ok := strings.Cut(arg, "@")
		if !ok || path == "" || version == "" {
			fail(fmt.Errorf("%q: want module@version", arg))
		}
		if err := fetch(*dir, proxies, path, version); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modfromzip:", err)
	os.Exit(1)
}

// proxyURLs returns the HTTP(S) entries of the go command's GOPROXY setting.
func proxyURLs() ([]string, error) {
	out, err := exec.Command("go", "env", "GOPROXY").Output()
	if err != nil {
		return nil, fmt.Errorf("go env GOPROXY: %w", err)
	}
	var urls []string
	for _, p := range strings.FieldsFunc(strings.TrimSpace(string(out)), func(r rune) bool { return r == ',' || r == '|' }) {
		if strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://") {
			urls = append(urls, strings.TrimSuffix(p, "/"))
		}
	}
	if len(urls) == 0 {
		return nil, errors.New("GOPROXY has no http(s) proxy")
	}
	return urls, nil
}

// escape applies the module proxy protocol's case encoding ("!" + lower case letter).
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func fetch(dir string, proxies []string, path, version string) error {
	vdir := filepath.Join(dir, filepath.FromSlash(escape(path)), "@v")
	base := filepath.Join(vdir, escape(version))
	if _, err := os.Stat(base + ".mod"); err == nil {
		return nil
	}
	var data []byte
	var errs []error
	for _, p := range proxies {
		d, err := get(p + "/" + escape(path) + "/@v/" + escape(version) + ".zip")
		if err == nil {
			data = d
			break
		}
		errs = append(errs, err)
	}
	if data == nil {
		return fmt.Errorf("%s@%s: %w", path, version, errors.Join(errs...))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("%s@%s: %w", path, version, err)
	}
	want := path + "@" + version + "/go.mod"
	var gomod []byte
	for _, f := range zr.File {
		if f.Name != want {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		gomod, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	if gomod == nil {
		return fmt.Errorf("%s@%s: zip has no go.mod", path, version)
	}
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(base+".zip", data, 0o644); err != nil {
		return err
	}
	return os.WriteFile(base+".mod", gomod, 0o644)
}

func get(url string) ([]byte, error) {
	client := &http.Client{Timeout: 10 * time.Minute}
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
