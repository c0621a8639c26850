package io.hotswap.rollout;

/**
 * One record the change applier emits; {@link #kind} picks the sink, {@link #key} is the record
 * key there, {@link #environment} picks the live topic for {@link Kind#LIVE}. A null value on a
 * live record is a tombstone.
 */
record Output(Kind kind, String key, Object value, String environment) {

  enum Kind { TENANT, TENANT_KEY, CONFIG_STATE, CONFIG_VERSION, LIVE, AUDIT, RESULT, SCHEMA, PROFILE, DEPLOYMENT, WAVE, COMMAND, PLUGIN }

  <T> T valueAs(Class<T> type) {
    return type.cast(value);
  }

  /**
   * What a command leaves: what {@code apply} emitted into the list it is given, then the command's
   * result — only the result for a retry (answered from {@code outcomes}) or a refusal.
   */
  static java.util.List<Output> answered(io.hotswap.core.stream.RememberedOutcomes outcomes, io.hotswap.avro.Command command,
                                         java.time.Instant now, String stage,
                                         java.util.function.Function<java.util.List<Output>, io.hotswap.avro.CommandResult> apply) {
    java.util.List<Output> out = new java.util.ArrayList<>();
    io.hotswap.core.stream.RememberedOutcomes.Answer answer = outcomes.answer(command, now, stage, () -> apply.apply(out));
    if (answer.remembered() || answer.freshlyRejected()) {
      out.clear(); // a retry changes nothing again; a refused change leaves nothing behind
    }
    out.add(new Output(Kind.RESULT, answer.result().getCommandId(), answer.result(), null));
    return out;
  }
}
