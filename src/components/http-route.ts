import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayConfig } from "../config/schema";
import { PULUMI_ANNOTATION, TYPE } from "../names";

/** Waits until the (first) parent Gateway has accepted the route. */
export const ACCEPTED_WAIT_FOR =
  'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}=True';

export interface HttpRouteArgs {
  /** The app's namespace (the routes live beside the Service). */
  readonly namespace: pulumi.Input<string>;
  /** The app's labels (`appLabels`). */
  readonly labels: Record<string, string>;
  /** Hostnames the route answers for. */
  readonly hostnames: readonly string[];
  /** The `gateway` config key: the parent Gateway, its listeners, the redirect and the await. */
  readonly gateway: GatewayConfig;
  /** The Service all paths go to (the frontend). */
  readonly service: { readonly serviceName: pulumi.Input<string>; readonly port: number };
}

/**
 * Gateway API v1 routing: PathPrefix "/" on the stack's hostnames to the
 * frontend Service, and optionally an HTTP listener route that redirects to HTTPS.
 */
export class HttpRoute extends pulumi.ComponentResource {
  /** The main route's name. */
  public readonly routeName: pulumi.Output<string>;
  /** Resolves once the route exists (and, when awaited, its Gateway accepted it). */
  public readonly ready: pulumi.Output<boolean>;

  constructor(name: string, args: HttpRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super(TYPE.httpRoute, name, {}, opts);
    const gw = args.gateway;
    const parentRef = (sectionName: string | undefined) => ({
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
      name: gw.name,
      namespace: gw.namespace,
      ...(sectionName ? { sectionName } : {}),
    });
    const annotations: Record<string, string> = gw.awaitAccepted
      ? { [PULUMI_ANNOTATION.waitFor]: ACCEPTED_WAIT_FOR }
      : {};
    const metadata = { namespace: args.namespace, labels: args.labels, annotations };
    /** An HTTPRoute on the stack's hostnames, attached to one listener of the Gateway. */
    const httpRoute = (routeName: string, sectionName: string | undefined, rule: object) =>
      new k8s.apiextensions.CustomResource(
        routeName,
        {
          apiVersion: "gateway.networking.k8s.io/v1",
          kind: "HTTPRoute",
          metadata,
          spec: {
            parentRefs: [parentRef(sectionName)],
            hostnames: [...args.hostnames],
            rules: [rule],
          },
        },
        { parent: this },
      );

    const route = httpRoute(name, gw.sectionName, {
      matches: [{ path: { type: "PathPrefix", value: "/" } }],
      backendRefs: [{ name: args.service.serviceName, port: args.service.port }],
    });
    if (gw.httpsRedirect) {
      httpRoute(`${name}-https-redirect`, gw.httpSectionName, {
        filters: [
          { type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } },
        ],
      });
    }

    this.routeName = route.metadata.name;
    this.ready = route.metadata.apply(() => true);
    this.registerOutputs({ routeName: this.routeName });
  }
}
