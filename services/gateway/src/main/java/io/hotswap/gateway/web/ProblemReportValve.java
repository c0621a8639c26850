package io.hotswap.gateway.web;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Problem details for the errors Tomcat answers itself, before any servlet or filter runs — a URL
 * with an encoded slash, a NUL or bytes that are not UTF-8, a malformed request line: in place of
 * Tomcat's HTML error page, {@code application/problem+json} like every other error of the API.
 */
public final class ProblemReportValve extends ErrorReportValve {

  /** Puts this valve in place of the host's HTML error report once Tomcat has started. */
  public static WebServerFactoryCustomizer<TomcatServletWebServerFactory> installer() {
    return factory -> factory.addContextCustomizers(context -> context.addLifecycleListener(event -> {
      if (Lifecycle.AFTER_START_EVENT.equals(event.getType())) {
        replaceOnHost(((Context) event.getLifecycle()).getParent());
      }
    }));
  }

  private static void replaceOnHost(Container host) {
    for (Valve valve : host.getPipeline().getValves()) {
      if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
        host.getPipeline().removeValve(valve);
        host.getPipeline().addValve(new ProblemReportValve());
      }
    }
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean();
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get() || !response.setErrorReported()) {
      return;
    }
    String type = status == 400 ? "malformed-request" : status == 404 ? "not-found" : "http-" + status;
    String detail = status == 400
        ? "the request could not be read: its URL or headers are not valid HTTP (encoded slashes, NUL and non-UTF-8 bytes are refused)"
        : "the server answered " + status + " before the request reached the API";
    try {
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write("{\"type\":\"https://hotswap.io/problems/" + type + "\",\"title\":\"" + (status == 400 ? "Bad Request" : "Error")
            + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client is gone or the response was committed meanwhile: nothing more to tell it
    }
  }
}
