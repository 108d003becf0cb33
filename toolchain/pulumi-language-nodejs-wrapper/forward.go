package main

import (
	"context"
	"errors"
	"io"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// host serves the LanguageRuntime service: RunPlugin of policy packs itself
// (runplugin.go), every other call by forwarding it to the inner host. A call the
// inner host does not know comes back from it as Unimplemented, as it would without
// this wrapper.
type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	inner pulumirpc.LanguageRuntimeClient
	// Cancelled when the wrapper shuts down; ends the policy packs it started.
	base context.Context
}

func newHost(base context.Context, inner pulumirpc.LanguageRuntimeClient) *host {
	return &host{inner: inner, base: base}
}

// relay copies a server stream of the inner host to the caller until it ends.
func relay[T any](from grpc.ServerStreamingClient[T], to grpc.ServerStreamingServer[T]) error {
	for {
		msg, err := from.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := to.Send(msg); err != nil {
			return err
		}
	}
}

func (h *host) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return h.inner.Handshake(ctx, req)
}

//nolint:staticcheck // deprecated, but the CLI may still call it
func (h *host) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return h.inner.GetRequiredPlugins(ctx, req)
}

func (h *host) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return h.inner.GetRequiredPackages(ctx, req)
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return h.inner.Run(ctx, req)
}

func (h *host) GetPluginInfo(ctx context.Context, req *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return h.inner.GetPluginInfo(ctx, req)
}

func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	srv grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	stream, err := h.inner.InstallDependencies(srv.Context(), req)
	if err != nil {
		return err
	}
	return relay(stream, srv)
}

func (h *host) RuntimeOptionsPrompts(
	ctx context.Context, req *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return h.inner.RuntimeOptionsPrompts(ctx, req)
}

func (h *host) Template(
	ctx context.Context, req *pulumirpc.TemplateRequest,
) (*pulumirpc.TemplateResponse, error) {
	return h.inner.Template(ctx, req)
}

func (h *host) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	return h.inner.About(ctx, req)
}

func (h *host) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return h.inner.GetProgramDependencies(ctx, req)
}

func (h *host) GenerateProgram(
	ctx context.Context, req *pulumirpc.GenerateProgramRequest,
) (*pulumirpc.GenerateProgramResponse, error) {
	return h.inner.GenerateProgram(ctx, req)
}

func (h *host) GenerateProject(
	ctx context.Context, req *pulumirpc.GenerateProjectRequest,
) (*pulumirpc.GenerateProjectResponse, error) {
	return h.inner.GenerateProject(ctx, req)
}

func (h *host) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return h.inner.GeneratePackage(ctx, req)
}

func (h *host) Pack(ctx context.Context, req *pulumirpc.PackRequest) (*pulumirpc.PackResponse, error) {
	return h.inner.Pack(ctx, req)
}

func (h *host) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return h.inner.Link(ctx, req)
}

func (h *host) Cancel(ctx context.Context, req *emptypb.Empty) (*emptypb.Empty, error) {
	return h.inner.Cancel(ctx, req)
}
