package io.hotswap.rollout;

/**
 * One record the change applier emits; {@link #kind} picks the sink, {@link #key} is the record
 * key there, {@link #environment} picks the live topic for {@link Kind#LIVE}. A null value on a
 * live record is a tombstone.
 */
record Output(Kind kind, String key, Object value, String environment) {

  enum Kind { TENANT, TENANT_KEY, CONFIG_STATE, CONFIG_VERSION, LIVE, AUDIT, RESULT, SCHEMA, PROFILE, DEPLOYMENT, WAVE, COMMAND }

  <T> T valueAs(Class<T> type) {
    return type.cast(value);
  }
}
