//go:build tools

// Package tools names the Traefik command this wrapper module builds.
package tools

import _ "github.com/traefik/traefik/v3/cmd/traefik"
