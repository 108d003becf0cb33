//go:build tools

// Package tools names the buildx command this wrapper module builds.
package tools

import _ "github.com/docker/buildx/cmd/buildx"
