// Pins the Gateway API release whose standard-channel CRDs the local
// end-to-end environment installs (tools/local-env). Nothing is compiled
// here: the builder (../build.ts) copies config/crd/standard/*.yaml out of the module. Do not
// run `go mod tidy` (there is no import, so it would drop the requirement).
module travel.example/tools/gateway-api

go 1.25.0

require sigs.k8s.io/gateway-api v1.6.3
