package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestProjectFlags(t *testing.T) {
	write := func(name, text string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, c := range []struct {
		name, file, text string
		want             []string
	}{
		{"no project file", "", "", nil},
		{"a runtime without options: the defaults", "Pulumi.yaml", "name: p\nruntime: nodejs\n",
			[]string{"-typescript=true"}},
		{"tsx instead of ts-node", "Pulumi.yaml",
			"name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n    nodeargs: \"--import tsx\"\n    packagemanager: npm\n",
			[]string{"-typescript=false", "-nodeargs=--import tsx"}},
		{"Pulumi.yml and a tsconfig", "Pulumi.yml",
			"name: p\nruntime: {name: nodejs, options: {tsconfig: t.json}}\n",
			[]string{"-typescript=true", "-tsconfig=t.json"}},
	} {
		dir := t.TempDir()
		if c.file != "" {
			dir = write(c.file, c.text)
		}
		got, err := projectFlags(dir)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	dir := write("Pulumi.yaml", "runtime:\n  name: nodejs\n  options:\n    typescript: \"no\"\n")
	_, err := projectFlags(dir)
	if want := filepath.Join(dir, "Pulumi.yaml") + ": runtime option typescript = no: expected true or false"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("expected an error starting %q, got %v", want, err)
	}
}
