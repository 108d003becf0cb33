package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// projectFlags are the runtime options of the Pulumi project in dir (its Pulumi.yaml or
// Pulumi.yml) as the command-line flags the v3.68 host reads them from. The CLI of this
// toolchain starts a language host with the engine's address only and sends a program's
// options in its calls (ProgramInfo), which that host predates: without these flags it
// would run every program with its defaults (ts-node, no node arguments), whatever
// Pulumi.yaml says. No project file (a plugin or a pack): no flags. Options the old host
// has no flag for (packagemanager) are left out.
func projectFlags(dir string) ([]string, error) {
	for _, name := range []string{"Pulumi.yaml", "Pulumi.yml"} {
		path := filepath.Join(dir, name)
		text, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var project struct {
			Runtime yaml.Node `yaml:"runtime"`
		}
		if err := yaml.Unmarshal(text, &project); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		// runtime: nodejs, or runtime: {name: nodejs, options: {...}}.
		var runtime struct {
			Options map[string]any `yaml:"options"`
		}
		if project.Runtime.Kind == yaml.MappingNode {
			if err := project.Runtime.Decode(&runtime); err != nil {
				return nil, fmt.Errorf("%s: runtime: %w", path, err)
			}
		}
		opts, err := parseOptions(runtime.Options)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		flags := []string{"-typescript=" + strconv.FormatBool(opts.typescript)}
		if opts.tsconfig != "" {
			flags = append(flags, "-tsconfig="+opts.tsconfig)
		}
		if len(opts.nodeargs) > 0 {
			flags = append(flags, "-nodeargs="+strings.Join(opts.nodeargs, " "))
		}
		return flags, nil
	}
	return nil, nil
}
