/**
 * The toolchain table: every tool the project runs, the wrapper module that pins it
 * (toolchain/<dir>/go.mod), what is built, how the result is checked and when an
 * installed copy is used instead. One builder (build.ts) and one selector (select.ts)
 * read it; nothing else decides what gets built.
 */
import { dockerBuildProxy, kubernetesProviderSources } from "./hooks";
import type { Accept, InstalledRule, Probe, Tool } from "./spec";

const PULUMI_VERSION_VAR = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version";
const SDK = "github.com/pulumi/pulumi/sdk/v3";

const kubeProbe: Probe = { argv: ["{bin}", "--version"], pattern: /Kubernetes (v\d+\.\d+\.\d+)/ };
const kubectlProbe: Probe = {
  argv: ["{bin}", "version", "--client"],
  pattern: /Client Version: (v\d+\.\d+\.\d+)/,
};

/** component-base reports these; `kubectl version` and the API server's /version show them. */
function kubeLdflags(version: string): string[] {
  const [major, minor] = version.slice(1).split(".");
  const pkg = "k8s.io/component-base/version";
  return [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ];
}

/** A tool of the k8s.io/kubernetes wrapper module (toolchain/kubernetes). */
function kubernetes(name: string, purpose: string, binaries: string[], accept: Accept): Tool {
  return {
    name,
    purpose,
    dir: "kubernetes",
    version: { module: "k8s.io/kubernetes" },
    binaries: binaries.map((b) => ({
      name: b,
      pkg: `k8s.io/kubernetes/cmd/${b}`,
      probe: b === "kubectl" ? kubectlProbe : kubeProbe,
    })),
    ldflags: kubeLdflags,
    installed: { kind: "path", accept },
  };
}

/** One binary of one module, pinned by its require in toolchain/<name>/go.mod. */
function single(
  name: string,
  purpose: string,
  binary: {
    name?: string;
    module: string;
    pkg: string;
    probe: Probe;
    versionVar: string;
    bare?: boolean;
  },
  installed: InstalledRule | undefined = { kind: "path", accept: "exact" },
): Tool {
  return {
    name,
    purpose,
    dir: name,
    version: { module: binary.module },
    binaries: [{ name: binary.name ?? name, pkg: binary.pkg, probe: binary.probe }],
    // Some stamp the version without its "v".
    ldflags: (v) => [`-X ${binary.versionVar}=${binary.bare ? v.slice(1) : v}`],
    ...(installed ? { installed } : {}),
  };
}

/** A Pulumi resource provider plugin, found installed through `pulumi plugin ls`. */
function provider(
  plugin: string,
  rest: Pick<Tool, "version" | "binaries" | "ldflags" | "prepare">,
): Tool {
  const name = `pulumi-resource-${plugin}`;
  return {
    name,
    purpose: `Pulumi ${plugin} provider plugin`,
    dir: name,
    installed: { kind: "plugin", pluginKind: "resource", plugin },
    ...rest,
  };
}

const versionFlag = (pattern: RegExp, flag = "--version"): Probe => ({
  argv: ["{bin}", flag],
  pattern,
});

export const TOOLS: readonly Tool[] = [
  {
    name: "pulumi",
    purpose: "Pulumi CLI and Node.js language host",
    dir: "pulumi",
    version: { module: "github.com/pulumi/pulumi/pkg/v3" },
    binaries: [
      {
        name: "pulumi",
        pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        probe: { argv: ["{bin}", "version"], pattern: /^v?(\d+\.\d+\.\d+)/m },
      },
      {
        // The CLI finds language hosts next to its own binary, so both share a folder. This
        // one is ours: it serves RunPlugin (policy packs) and forwards the rest to the next.
        name: "pulumi-language-nodejs",
        pkg: ".",
        dir: "pulumi-language-nodejs-wrapper",
        version: { sources: true },
        probe: { argv: ["{bin}", "-version"], pattern: /^(v0\.0\.0-src-[0-9a-f]{12})$/m },
      },
      {
        // The Node.js host of sdk/v3 v3.68.0 (no RunPlugin), off PATH: only the wrapper runs it.
        name: "pulumi-language-nodejs",
        folder: "libexec",
        pkg: `${SDK}/nodejs/cmd/pulumi-language-nodejs`,
        dir: "pulumi-language-nodejs",
        version: { module: SDK },
        probe: {
          argv: ["go", "version", "-m", "{bin}"],
          pattern: /^\s+(?:mod|dep)\s+github\.com\/pulumi\/pulumi\/sdk\/v3\s+(v\S+)/m,
        },
      },
    ],
    ldflags: (v) => [`-X ${PULUMI_VERSION_VAR}=${v}`],
    tags: ["osusergo"],
    installed: { kind: "path", accept: "atLeast" },
  },
  provider("kubernetes", {
    // provider/v4 has no tags: go.mod pins a pseudo-version and names the release here.
    version: { comment: "plugin-version" },
    binaries: [{ name: "pulumi-resource-kubernetes", pkg: "." }],
    ldflags: (v) => [`-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${v}`],
    prepare: kubernetesProviderSources,
  }),
  provider("docker-build", {
    version: { module: "github.com/pulumi/pulumi-docker-build" },
    binaries: [
      {
        name: "pulumi-resource-docker-build",
        pkg: "github.com/pulumi/pulumi-docker-build/provider/cmd/pulumi-resource-docker-build",
      },
    ],
    ldflags: (v) => [`-X github.com/pulumi/pulumi-docker-build/provider.Version=${v.slice(1)}`],
    prepare: dockerBuildProxy,
  }),
  kubernetes("kubectl", "kubectl", ["kubectl"], "minorSkew"),
  kubernetes(
    "kubernetes",
    "Kubernetes control plane",
    ["kube-apiserver", "kube-controller-manager", "kube-scheduler"],
    "exact",
  ),
  kubernetes(
    "kubernetes-node",
    "kubelet and kube-proxy of the local node",
    ["kubelet", "kube-proxy"],
    "exact",
  ),
  single(
    "coredns",
    "cluster DNS (CoreDNS, only the plugins in toolchain/coredns/main.go)",
    {
      module: "github.com/coredns/coredns",
      pkg: ".",
      probe: versionFlag(/CoreDNS-(\d+\.\d+\.\d+)/, "-version"),
      versionVar: "github.com/coredns/coredns/coremain.GitCommit",
    },
    // An installed CoreDNS may lack the plugins the Corefile uses, or carry forward.
    undefined,
  ),
  single("kube-router", "NetworkPolicy enforcement (kube-router, firewall only)", {
    module: "github.com/cloudnativelabs/kube-router/v2",
    pkg: "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router",
    probe: versionFlag(/version (v\d+\.\d+\.\d+)/),
    versionVar: "github.com/cloudnativelabs/kube-router/v2/pkg/version.Version",
  }),
  single("traefik", "Gateway API implementation (Traefik's kubernetesgateway provider)", {
    module: "github.com/traefik/traefik/v3",
    pkg: "github.com/traefik/traefik/v3/cmd/traefik",
    probe: versionFlag(/Version:\s+v?(\d+\.\d+\.\d+)/, "version"),
    versionVar: "github.com/traefik/traefik/v3/pkg/version.Version",
    bare: true,
  }),
  single("buildkit", "BuildKit daemon", {
    name: "buildkitd",
    module: "github.com/moby/buildkit",
    pkg: "github.com/moby/buildkit/cmd/buildkitd",
    probe: versionFlag(/buildkitd \S+ (v\d+\.\d+\.\d+)/),
    versionVar: "github.com/moby/buildkit/version.Version",
  }),
  {
    name: "gateway-api",
    purpose: "Gateway API standard CRDs",
    dir: "gateway-api",
    version: { module: "sigs.k8s.io/gateway-api" },
    binaries: [],
    files: { module: "sigs.k8s.io/gateway-api", from: "config/crd/standard", to: "crds" },
  },
  single("buildx", "docker buildx CLI plugin (npm run bench: the manual sequence)", {
    name: "docker-buildx",
    module: "github.com/docker/buildx",
    pkg: "github.com/docker/buildx/cmd/buildx",
    probe: versionFlag(/github\.com\/docker\/buildx (v\d+\.\d+\.\d+)/, "version"),
    versionVar: "github.com/docker/buildx/version.Version",
  }),
  single("actionlint", "GitHub Actions workflow linter", {
    module: "github.com/rhysd/actionlint",
    pkg: "github.com/rhysd/actionlint/cmd/actionlint",
    probe: versionFlag(/^(v?\d+\.\d+\.\d+)/m, "-version"),
    versionVar: "github.com/rhysd/actionlint.version",
  }),
];

/** Named sets of tools, for callers that need several. */
export const GROUPS: Readonly<Record<string, readonly string[]>> = {
  /** What `pulumi up` of a stack needs (the program awaits rollouts itself: no kubectl). */
  pulumi: ["pulumi", "pulumi-resource-kubernetes", "pulumi-resource-docker-build"],
  /** What the local environment runs. */
  environment: [
    "kubernetes",
    "kubernetes-node",
    "kubectl",
    "buildkit",
    "coredns",
    "kube-router",
    "gateway-api",
    "traefik",
  ],
  /** What the unit tests run. */
  lint: ["actionlint"],
  /** What `npm run bench` runs beside a stack's toolchain (the manual sequences). */
  bench: ["buildx", "kubectl"],
};

export function toolNamed(name: string): Tool {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool) {
    throw new Error(
      `unknown tool "${name}": expected one of ${TOOLS.map((t) => t.name).join(", ")}`,
    );
  }
  return tool;
}

/** Tool names from arguments that are tool or group names (groups expanded, order kept). */
export function expand(names: readonly string[]): Tool[] {
  const out: string[] = [];
  for (const n of names) for (const t of GROUPS[n] ?? [n]) if (!out.includes(t)) out.push(t);
  return out.map(toolNamed);
}
