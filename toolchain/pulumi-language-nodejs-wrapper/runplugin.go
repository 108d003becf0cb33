package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// runPolicyPack is the entry point of a Node.js policy pack in the @pulumi/pulumi package
// the pack resolves (the official host uses the same module).
const runPolicyPack = "@pulumi/pulumi/cmd/run-policy-pack"

// RunPlugin starts a policy pack (kind "analyzer") as the official Node.js host of sdk
// v3.259 does: it answers the engine through the SDK's policy proxy, which takes the
// stack's identity and config from the engine's ConfigureStack call; then it runs node on
// run-policy-pack in the pack's folder with that identity and config in the environment,
// and the proxy forwards every later call to the pack. Other plugin kinds go to the
// inner host.
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, srv grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		stream, err := h.inner.RunPlugin(srv.Context(), req)
		if err != nil {
			return err
		}
		return relay(stream, srv)
	}
	if req.GetAttachDebugger() {
		return status.Error(codes.Unimplemented,
			"attaching a debugger to a policy pack is not supported by the travel toolchain's Node.js host")
	}
	ctx, cancel := context.WithCancel(srv.Context())
	defer cancel()
	defer context.AfterFunc(h.base, cancel)()

	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(srv, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory()
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return fmt.Errorf("policy pack %s: %w", dir, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("policy pack %s needs node on PATH: %w", dir, err)
	}
	entry, err := resolveModule(ctx, node, dir, runPolicyPack)
	if err != nil {
		return err
	}

	// The proxy prints its own port to the engine and waits for the stack's configuration.
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack configuration for policy pack %s: %w", dir, err)
	}

	spec, err := policyPackCommand(node, entry, req, opts, stack)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, spec.path, spec.args...)
	cmd.Dir, cmd.Env = spec.dir, spec.env
	cmd.Stdout, cmd.Stderr = packStdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting policy pack %s (%s): %w", dir, node, err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("policy pack %s exited with code %d", dir, exit.ExitCode())
		}
		return fmt.Errorf("policy pack %s: %w", dir, err)
	}
	return closer.Close()
}

// nodeOptions are the runtime options of PulumiPolicy.yaml this host reads.
type nodeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

// parseOptions reads typescript (bool, default true), tsconfig (string) and nodeargs
// (string, split at spaces) from a pack's runtime options; other options are ignored.
func parseOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if v, ok := options["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return opts, fmt.Errorf("runtime option typescript = %v: expected true or false", v)
		}
		opts.typescript = b
	}
	if v, ok := options["tsconfig"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option tsconfig = %v: expected a path", v)
		}
		opts.tsconfig = s
	}
	if v, ok := options["nodeargs"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, fmt.Errorf("runtime option nodeargs = %v: expected a string", v)
		}
		if strings.ContainsAny(s, `"'\`) {
			return opts, fmt.Errorf("runtime option nodeargs = %q: expected arguments separated by "+
				"spaces (quoting is not supported by this host)", s)
		}
		opts.nodeargs = strings.Fields(s)
	}
	return opts, nil
}

// command is a process to start: what policyPackCommand decides, without running it.
type command struct {
	path string
	args []string
	dir  string
	env  []string
}

// policyPackCommand is how the official host runs a pack: node <run-policy-pack>
// [nodeargs] <the CLI's args: the engine's address> <pack folder>, in the pack's folder,
// with the CLI's environment plus TypeScript switches and, when the engine sent them, the
// stack's organization, project, stack, dry-run flag and config (PULUMI_CONFIG, JSON).
func policyPackCommand(
	node, entry string, req *pulumirpc.RunPluginRequest, opts nodeOptions,
	stack *pulumirpc.AnalyzerStackConfigureRequest,
) (command, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		return command{}, errors.New("RunPlugin request for a policy pack without a program directory")
	}
	env := append([]string{}, req.GetEnv()...)
	if len(env) == 0 {
		env = os.Environ()
	}
	add := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	if opts.typescript {
		add("PULUMI_NODEJS_TYPESCRIPT", "true")
	}
	add("PULUMI_NODEJS_TSCONFIG_PATH", opts.tsconfig)
	if stack != nil {
		add("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
		add("PULUMI_NODEJS_PROJECT", stack.GetProject())
		add("PULUMI_NODEJS_STACK", stack.GetStack())
		add("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
		if stack.GetConfig() != nil {
			config, err := json.Marshal(stack.GetConfig())
			if err != nil {
				return command{}, fmt.Errorf("encoding the stack configuration: %w", err)
			}
			add("PULUMI_CONFIG", string(config))
		}
	}
	args := append([]string{entry}, opts.nodeargs...)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)
	return command{path: node, args: args, dir: dir, env: env}, nil
}

// resolveModule is the file `require.resolve(mod)` finds from dir, with node.
func resolveModule(ctx context.Context, node, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "console.log(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		detail := err.Error()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			detail = strings.TrimSpace(string(exit.Stderr))
		}
		return "", fmt.Errorf("policy pack %s: cannot resolve %s from there (run npm install "+
			"for the pack, or where its node_modules are): %s", dir, mod, detail)
	}
	return strings.TrimSpace(string(out)), nil
}
