package io.hotswap.core.json;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** The shared Jackson 3 mapper for non-HTTP JSON work (values, audit payloads). */
public final class Json {

  public static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private Json() {}
}
