package io.hotswap.gateway.web;

import io.hotswap.protocol.Topics;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/environments}: the environments in promotion order, with their live topics. */
@RestController
class EnvironmentController {

  /** One environment. */
  record EnvironmentView(String id, int order, String liveTopic) {}

  @GetMapping("/api/v1/environments")
  List<EnvironmentView> list() {
    return IntStream.range(0, Topics.ENVIRONMENTS.size())
        .mapToObj(i -> new EnvironmentView(Topics.ENVIRONMENTS.get(i), i, Topics.live(Topics.ENVIRONMENTS.get(i))))
        .toList();
  }
}
