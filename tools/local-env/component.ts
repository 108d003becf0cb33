/**
 * One piece of the local environment, described once: what it needs first, the
 * config it writes, the process it runs (under supervisord), when it is ready, the
 * setup after it is ready, and what `down` removes after it stops.
 */
import type { Daemon } from "./supervisor";

export interface Context {
  /** Absolute path of a binary chosen by the toolchain (installed or built). */
  bin(name: string): string;
  /** Folder of a files-only tool (the Gateway API CRDs). */
  files(tool: string): string;
  /** kubectl with the admin kubeconfig; output logged to the component's log. */
  kubectl(args: readonly string[], opts?: { input?: string; allowFail?: boolean }): string;
  /** The component's own log file. */
  readonly log: string;
  /** A progress line on stderr. */
  say(message: string): void;
}

export interface Readiness {
  /** What is awaited, for messages ("GET /readyz = 200"). */
  readonly what: string;
  readonly timeoutSeconds: number;
  readonly check: (ctx: Context) => Promise<boolean> | boolean;
}

export interface Component {
  readonly name: string;
  /** One line for `status`. */
  readonly summary: string;
  /** Components that must be ready first (they come earlier in the table). */
  readonly needs: readonly string[];
  /** Writes its config files; true when one changed (a running daemon is restarted). */
  readonly prepare?: (ctx: Context) => boolean;
  /** Its long-running process, if it has one. */
  readonly daemon?: (ctx: Context) => Daemon;
  /** When it is up: a daemon answers, a step's result is in place. */
  readonly ready: Readiness;
  /** Idempotent work once it is ready (or, for a step without a daemon, the step itself). */
  readonly setup?: (ctx: Context) => Promise<void> | void;
  /** `down`: before its daemon is stopped. */
  readonly beforeStop?: (ctx: Context) => void;
  /** `down`: after its daemon stopped, remove what it left on the host. */
  readonly teardown?: (ctx: Context) => void;
}
