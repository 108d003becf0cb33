/**
 * The travel policy pack, run by `pulumi preview --policy-pack policy` (and
 * `pulumi up`). The policies live in ./rules; see README.md.
 */
import { PolicyPack } from "@pulumi/policy";
import { travelPolicies } from "./rules";

new PolicyPack("travel-policies", { policies: travelPolicies });
