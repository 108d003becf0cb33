package main

import (
	"bufio"
	"reflect"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func packRequest(env ...string) *pulumirpc.RunPluginRequest {
	return &pulumirpc.RunPluginRequest{
		Kind: "analyzer",
		Args: []string{"-v=3", "127.0.0.1:40001"},
		Env:  env,
		Info: &pulumirpc.ProgramInfo{ProgramDirectory: "/repo/policy"},
		Pwd:  "/repo",
	}
}

func TestPolicyPackCommandRunsThePackInItsFolderWithTheStack(t *testing.T) {
	stack := &pulumirpc.AnalyzerStackConfigureRequest{
		Organization: "organization",
		Project:      "travel",
		Stack:        "prod",
		DryRun:       true,
		Config:       map[string]string{"travel:meshMode": "none"},
	}
	got, err := policyPackCommand("/usr/bin/node", "/repo/node_modules/run-policy-pack/index.js",
		packRequest("PATH=/usr/bin"), nodeOptions{typescript: true, nodeargs: []string{"--no-warnings"}}, stack)
	if err != nil {
		t.Fatal(err)
	}
	want := command{
		path: "/usr/bin/node",
		args: []string{
			"/repo/node_modules/run-policy-pack/index.js", "--no-warnings",
			"-v=3", "127.0.0.1:40001", "/repo/policy",
		},
		dir: "/repo/policy",
		env: []string{
			"PATH=/usr/bin",
			"PULUMI_NODEJS_TYPESCRIPT=true",
			"PULUMI_NODEJS_ORGANIZATION=organization",
			"PULUMI_NODEJS_PROJECT=travel",
			"PULUMI_NODEJS_STACK=prod",
			"PULUMI_NODEJS_DRY_RUN=true",
			`PULUMI_CONFIG={"travel:meshMode":"none"}`,
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("policyPackCommand:\n got %#v\nwant %#v", got, want)
	}
}

func TestPolicyPackCommandWithoutStackConfiguration(t *testing.T) {
	got, err := policyPackCommand("node", "entry.js", packRequest("A=1"),
		nodeOptions{typescript: false, tsconfig: "tsconfig.policy.json"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A=1", "PULUMI_NODEJS_TSCONFIG_PATH=tsconfig.policy.json"}; !reflect.DeepEqual(got.env, want) {
		t.Fatalf("env: got %q, want %q", got.env, want)
	}
	// An update (not a preview) says so: false is a value, not an absence.
	got, err = policyPackCommand("node", "entry.js", packRequest("A=1"), nodeOptions{},
		&pulumirpc.AnalyzerStackConfigureRequest{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"A=1", "PULUMI_NODEJS_STACK=dev", "PULUMI_NODEJS_DRY_RUN=false"}; !reflect.DeepEqual(got.env, want) {
		t.Fatalf("env: got %q, want %q", got.env, want)
	}
}

func TestPolicyPackCommandNeedsTheProgramDirectory(t *testing.T) {
	req := packRequest()
	req.Info.ProgramDirectory = ""
	if _, err := policyPackCommand("node", "entry.js", req, nodeOptions{}, nil); err == nil ||
		!strings.Contains(err.Error(), "without a program directory") {
		t.Fatalf("expected an error naming the missing program directory, got %v", err)
	}
}

func TestParseOptions(t *testing.T) {
	got, err := parseOptions(map[string]any{})
	if err != nil || !reflect.DeepEqual(got, nodeOptions{typescript: true}) {
		t.Fatalf("defaults: got %#v, %v", got, err)
	}
	got, err = parseOptions(map[string]any{
		"typescript": false, "tsconfig": "t.json", "nodeargs": " --a  --b=1 ", "packagemanager": "npm",
	})
	want := nodeOptions{tsconfig: "t.json", nodeargs: []string{"--a", "--b=1"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, %v; want %#v", got, err, want)
	}
	for prefix, options := range map[string]map[string]any{
		"runtime option typescript = yes: expected true or false": {"typescript": "yes"},
		"runtime option tsconfig = 3: expected a path":            {"tsconfig": 3},
		`runtime option nodeargs = "--title 'a b'"`:               {"nodeargs": "--title 'a b'"},
	} {
		if _, err := parseOptions(options); err == nil || !strings.HasPrefix(err.Error(), prefix) {
			t.Errorf("parseOptions(%v): expected an error starting %q, got %v", options, prefix, err)
		}
	}
}

func TestReadPort(t *testing.T) {
	port, err := readPort(bufio.NewReader(strings.NewReader("40123\nmore output\n")))
	if err != nil || port != 40123 {
		t.Fatalf("got %d, %v", port, err)
	}
	if _, err := readPort(bufio.NewReader(strings.NewReader("warning: something\n"))); err == nil ||
		!strings.Contains(err.Error(), `got "warning: something\n"`) {
		t.Fatalf("expected an error quoting the line, got %v", err)
	}
}
