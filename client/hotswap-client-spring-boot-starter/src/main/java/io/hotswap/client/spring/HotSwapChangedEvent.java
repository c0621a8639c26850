package io.hotswap.client.spring;

import io.hotswap.client.Change;
import org.springframework.context.ApplicationEvent;

/** Published after a HotSwap change was applied and the affected {@code @ConfigurationProperties} beans were rebound. */
public class HotSwapChangedEvent extends ApplicationEvent {

  private final transient Change change;

  public HotSwapChangedEvent(Object source, Change change) {
    super(source);
    this.change = change;
  }

  public Change getChange() {
    return change;
  }
}
