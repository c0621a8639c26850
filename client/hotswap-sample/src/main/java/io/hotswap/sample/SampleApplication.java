package io.hotswap.sample;

import io.hotswap.client.spring.HotSwapChangedEvent;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A service whose settings live in HotSwap: {@code payment.*} keys of its tenant, swapped without a restart. */
@SpringBootApplication
@EnableConfigurationProperties(SampleApplication.Payment.class)
@RestController
public class SampleApplication {

  @ConfigurationProperties("payment")
  public static class Payment {
    private int timeoutMs = 1000;
    private boolean newCheckout;

    public int getTimeoutMs() { return timeoutMs; }
    public void setTimeoutMs(int timeoutMs) { this.timeoutMs = timeoutMs; }
    public boolean isNewCheckout() { return newCheckout; }
    public void setNewCheckout(boolean newCheckout) { this.newCheckout = newCheckout; }
  }

  private final Payment payment;

  SampleApplication(Payment payment) {
    this.payment = payment;
  }

  @GetMapping("/payment")
  Payment payment() {
    return payment;
  }

  @EventListener
  void changed(HotSwapChangedEvent event) {
    System.out.println("HotSwap changed " + event.getChange().key() + " to v" + event.getChange().newVersion());
  }

  /** Settings in payment-service.properties (not application.properties: this jar may share a classpath). */
  public static SpringApplication application() {
    SpringApplication app = new SpringApplication(SampleApplication.class);
    app.setDefaultProperties(java.util.Map.of("spring.config.name", "payment-service"));
    return app;
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
