package io.hotswap.plugin.api;

/** The health questions the runtime asks a plugin (as Kubernetes asks a container). */
public enum Probe {
  /** Did it start correctly? Asked once, right after start. */
  STARTUP,
  /** Is it still working? Asked periodically; consecutive failures roll a deployment back. */
  LIVENESS,
  /** May it take calls now? Asked before a new version replaces the old one. */
  READINESS
}
