// Command pulumi-language-nodejs is the Node.js language host that the locally built
// Pulumi CLI starts. It runs the Node.js language host of sdk/v3 v3.68.0 (the newest the
// Go module proxy here serves, kept off PATH in ../libexec) and forwards every gRPC call
// to it, except RunPlugin for policy packs, which that host lacks ("not supported") and
// which this one serves: see runplugin.go.
//
// The CLI starts a language host with its arguments (flags, then the engine's address)
// and reads the port it listens on from the first line of its standard output. This
// host starts the old one with the project's runtime options as flags (project.go) before
// the same arguments, reads its port, listens itself and prints its own port. It exits
// when the old host exits, with its exit code.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// innerHost is where the v3.68 host lives, relative to this binary's folder.
const innerHost = "../libexec/pulumi-language-nodejs"

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-version" {
		// The toolchain stamps the version (a hash of this module's sources) here.
		fmt.Println(version.Version)
		return
	}
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs (travel wrapper): %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// innerHostPath is the v3.68 host beside this binary's folder (symlinks resolved).
func innerHostPath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("locating this binary: %w", err)
	}
	if self, err = filepath.EvalSymlinks(self); err != nil {
		return "", fmt.Errorf("locating this binary: %w", err)
	}
	path := filepath.Join(filepath.Dir(self), innerHost)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("expected the Node.js language host of sdk/v3 v3.68.0 at %s: %w", path, err)
	}
	return path, nil
}

// run starts the inner host with args, serves the forwarding host until the inner one
// exits and returns its exit code.
func run(args []string) (int, error) {
	path, err := innerHostPath()
	if err != nil {
		return 1, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return 1, err
	}
	flags, err := projectFlags(cwd)
	if err != nil {
		return 1, err
	}
	inner := exec.Command(path, append(flags, args...)...)
	inner.Stderr = os.Stderr
	out, err := inner.StdoutPipe()
	if err != nil {
		return 1, err
	}
	if err := inner.Start(); err != nil {
		return 1, fmt.Errorf("starting %s: %w", path, err)
	}
	exited := make(chan error, 1)
	stdout := bufio.NewReader(out)
	port, err := readPort(stdout)
	if err != nil {
		_ = inner.Process.Kill()
		return 1, fmt.Errorf("%s did not print its port: %w (exit: %v)", path, err, inner.Wait())
	}
	go func() { exited <- inner.Wait() }()

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		_ = inner.Process.Kill()
		return 1, fmt.Errorf("connecting to %s on port %d: %w", path, port, err)
	}
	defer conn.Close()

	// Cancelled when the inner host exits: stops the server and any policy pack it started.
	base, stop := context.WithCancel(context.Background())
	defer stop()
	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, newHost(base, pulumirpc.NewLanguageRuntimeClient(conn)))
			return nil
		},
	})
	if err != nil {
		_ = inner.Process.Kill()
		return 1, fmt.Errorf("serving: %w", err)
	}
	fmt.Printf("%d\n", handle.Port)
	// Anything else the inner host prints goes where the CLI reads it.
	go func() { _, _ = io.Copy(os.Stdout, stdout) }()

	select {
	case err := <-exited:
		stop()
		close(cancel)
		<-handle.Done
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), nil
		}
		return 0, err
	case err := <-handle.Done:
		_ = inner.Process.Kill()
		return 1, fmt.Errorf("stopped serving: %w", err)
	}
}

// readPort reads the first line of a language host's output: the port it listens on.
func readPort(r *bufio.Reader) (int, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || port <= 0 || port > 65535 {
		return 0, fmt.Errorf("expected a port number as the first line, got %q", line)
	}
	return port, nil
}
