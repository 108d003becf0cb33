//go:build tools

// Package tools pins kube-router for `go build` via this wrapper module.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
